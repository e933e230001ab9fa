package dev.scales.core.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.scales.core.ScalesException;
import dev.scales.core.model.Golden;
import dev.scales.core.model.LoadedModel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

class ModelManagerTest {
    @Test
    void loadsRunsJobsOnItsWorkerAndUnloads() {
        List<Optional<LoadedModel>> changes = new ArrayList<>();
        try (ModelManager manager = new ModelManager()) {
            manager.addListener(changes::add);

            LoadedModel m = manager.load(Golden.folder("gpt2-tiny"), "cpu").join();
            String thread = manager.submit(model -> Thread.currentThread().getName()).join();
            manager.unload().join();

            assertThat(m.config().modelType()).isEqualTo("gpt2");
            assertThat(thread).isEqualTo("scales-worker CPU");
            assertThat(manager.current()).isEmpty();
            assertThat(changes).hasSize(2);
            assertThat(changes.get(1)).isEmpty();
        }
    }

    @Test
    void theWorkersAndTheThreadsTheyStartRunBelowTheDesktopsPriority() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(com.sun.jna.Platform.isLinux(), "nice values are Linux's");
        try (ModelManager manager = new ModelManager()) {
            manager.load(Golden.folder("gpt2-tiny"), "cpu").join();
            int worker = manager.submit(model -> WorkerPriority.niceOfThisThread()).join();
            int started = manager.submit(model -> {
                int[] nice = new int[1];
                Thread child = new Thread(() -> nice[0] = WorkerPriority.niceOfThisThread());
                child.start();
                try {
                    child.join();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                return nice[0];
            }).join();

            assertThat(worker).isEqualTo(WorkerPriority.NICE);
            assertThat(started).as("a thread the worker starts, as libtorch starts its OpenMP team").isEqualTo(
                    WorkerPriority.NICE);
            assertThat(WorkerPriority.niceOfThisThread()).as("the caller's own").isZero();
        }
    }

    @Test
    void aLoraFineTuneIsAVariantSharingTheBaseWeightsAndSwitchingIsAJob() throws Exception {
        List<ModelManager.Variants> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (ModelManager manager = new ModelManager()) {
            manager.addVariantListener(seen::add);
            manager.load(Golden.folder("gpt2-tiny"), "cpu").join();
            ModelManager.Variant base = manager.variants().active();
            float[] before = manager.submit(ModelManagerTest::logProbs).join();

            // a LoRA "fine-tune" registered from a job
            ModelManager.Variant tuned = loraVariant(manager);
            float[] withAdapter = manager.submit(ModelManagerTest::logProbs).join();
            manager.use(base.id()).join();
            float[] baseAgain = manager.submit(ModelManagerTest::logProbs).join();
            manager.use(tuned.id()).join();
            float[] adapterAgain = manager.submit(ModelManagerTest::logProbs).join();

            assertThat(base.isBase()).isTrue();
            assertThat(manager.variants().all()).containsExactly(base, tuned);
            assertThat(withAdapter).isNotEqualTo(before);
            assertThat(baseAgain).containsExactly(before);
            assertThat(adapterAgain).containsExactly(withAdapter);
            assertThat(seen).extracting(v -> v.active().name())
                    .containsExactly("base weights", "LoRA #1", "base weights", "LoRA #1");
            // changing weights is the worker's business only
            assertThatThrownBy(manager::useBase).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("job on a model worker");

            // not while a run trains the active weights: the switch would run between its steps
            var release = new java.util.concurrent.CountDownLatch(1);
            var started = new java.util.concurrent.CountDownLatch(1);
            var run = manager.submit("fake run", Job.Priority.TRAINING, (m, ctx) -> {
                started.countDown();
                while (release.getCount() > 0) {
                    ctx.yieldToUrgent();
                    Thread.onSpinWait();
                }
                return null;
            });
            started.await();
            assertThatThrownBy(() -> manager.use(base.id()).join()).hasMessageContaining("cannot change while fake run");
            release.countDown();
            run.future().join();
            assertThat(manager.variants().active()).isEqualTo(tuned);

                        // a full fine-tune changes the base in place: the LoRA variants, trained on the old base, go
            manager.submit("full", Job.Priority.TRAINING, (m, ctx) -> {
                manager.baseChanged("fine-tuned weights (#2 full)");
                return null;
            }).future().join();
            assertThat(manager.variants().all()).extracting(ModelManager.Variant::name)
                    .containsExactly("fine-tuned weights (#2 full)");
            assertThat(manager.submit(ModelManagerTest::logProbs).join()).containsExactly(before);
            assertThatThrownBy(() -> manager.use(tuned.id()).join()).hasCauseInstanceOf(ScalesException.class)
                    .hasMessageContaining("no such variant");

            // another model, loaded beside it: only its base
            manager.load(Golden.folder("llama-tiny-gqa"), "cpu").join();
            assertThat(manager.variants().ofActiveModel()).hasSize(1).allSatisfy(v -> assertThat(v.isBase()).isTrue());
            assertThat(manager.variants().all()).hasSize(2);
        }
    }

    /** A LoRA "fine-tune" of the current model, "LoRA #1": adapters with a non-zero B (it starts at zero). */
    private static ModelManager.Variant loraVariant(ModelManager manager) {
        return manager.submit("tune", Job.Priority.TRAINING, (m, ctx) -> {
            var adapters = dev.scales.core.model.LoraAdapters.attach(m,
                    new dev.scales.core.model.LoraConfig(2, 4f, 0f, List.of("c_attn")), 3);
            adapters.adapters().values().forEach(a -> a.loraB().addi(0.5f));
            return manager.addVariant("LoRA #1", adapters);
        }).future().join();
    }

    private static float[] logProbs(LoadedModel m) {
        return dev.scales.core.generate.Scorer.tokenLogProbs(m, new long[] {1, 2, 3, 4, 5});
    }

    @Test
    void aFailedLoadKeepsTheModelAlreadyLoaded() {
        try (ModelManager manager = new ModelManager()) {
            LoadedModel first = manager.load(Golden.folder("gpt2-tiny"), "cpu").join();

            assertThatThrownBy(() -> manager.load(Path.of("/no/such/model"), "cpu").join())
                    .isInstanceOf(CompletionException.class).hasCauseInstanceOf(ScalesException.class)
                    .hasMessageContaining("/no/such/model");
            assertThat(manager.current()).containsSame(first);
            assertThat(manager.submit(m -> m.config().vocabSize()).join()).isEqualTo(260);
        }
    }

    @Test
    void aLoadReportsItsShareAndACancelledOneLeavesNoModelAndLoadingAgainWorks() throws Exception {
        try (ModelManager manager = new ModelManager()) {
            var reading = new java.util.concurrent.CountDownLatch(1);
            var release = new java.util.concurrent.CountDownLatch(1);
            List<Double> shares = new java.util.concurrent.CopyOnWriteArrayList<>();
            Job<LoadedModel> load = manager.load(Golden.folder("gpt2-tiny"), "cpu", share -> {
                shares.add(share);
                if (share > 0) { // a tensor is read: the load waits here, between two tensors, until released
                    reading.countDown();
                    await(release);
                }
            });
            assertThat(reading.await(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            load.cancel();
            release.countDown();

            assertThatThrownBy(() -> load.future().join()).isInstanceOf(java.util.concurrent.CancellationException.class);
            assertThat(load.state()).isEqualTo(Job.State.CANCELLED);
            assertThat(shares).hasSize(2).startsWith(0.0); // no tensor was read after the cancel
            assertThat(manager.current()).isEmpty();
            assertThat(manager.models()).isEmpty();
            assertThat(manager.accountedBytes()).isEmpty();

            shares.clear();
            LoadedModel m = manager.load(Golden.folder("gpt2-tiny"), "cpu", shares::add).future().join();
            assertThat(shares).startsWith(0.0).endsWith(1.0).isSorted();
            assertThat(manager.current()).contains(m);
        }
    }

    private static void await(java.util.concurrent.CountDownLatch latch) {
        try {
            latch.await(30, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void jobsWithoutAModelFailClearly() {
        try (ModelManager manager = new ModelManager()) {
            assertThatThrownBy(() -> manager.submit(m -> 1).join()).hasMessageContaining("no model is loaded");
        }
    }

    /** A stand-in training loop: "steps" until released, yielding between steps as a real run does. */
    private static Job<Integer> fakeTraining(ModelManager manager, java.util.concurrent.CountDownLatch release,
                                             List<String> log) {
        return manager.submit("train", Job.Priority.TRAINING, (m, ctx) -> {
            int steps = 0;
            while (release.getCount() > 0 && !ctx.isCancelled()) {
                steps++;
                ctx.yieldToUrgent();
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }
            log.add("training ended");
            return steps;
        });
    }

    @Test
    void aPromptDuringTrainingRunsBetweenStepsOnTheWorker() throws Exception {
        try (ModelManager manager = new ModelManager()) {
            manager.load(Golden.folder("gpt2-tiny"), "cpu").join();
            List<String> log = new java.util.concurrent.CopyOnWriteArrayList<>();
            var release = new java.util.concurrent.CountDownLatch(1);
            Job<Integer> training = fakeTraining(manager, release, log);
            while (training.state() != Job.State.RUNNING) {
                Thread.sleep(2);
            }

            String answer = manager.submit("generate", m -> {
                log.add("prompt answered");
                return Thread.currentThread().getName();
            }).get(10, java.util.concurrent.TimeUnit.SECONDS);
            release.countDown();
            training.future().join();

            assertThat(answer).isEqualTo("scales-worker CPU");
            assertThat(log).containsExactly("prompt answered", "training ended");
            assertThat(training.state()).isEqualTo(Job.State.DONE);
        }
    }

    @Test
    void aPromptTypedDuringTrainingIsAnsweredWithinOneStep() throws Exception {
        try (ModelManager manager = new ModelManager()) {
            manager.load(Golden.folder("gpt2-tiny"), "cpu").join();
            var step = new java.util.concurrent.atomic.AtomicInteger();
            var stop = new java.util.concurrent.atomic.AtomicBoolean();
            // a deterministic fake step: it ends when the test hands out a permit, then yields as a real run does
            var permits = new java.util.concurrent.Semaphore(0);
            Job<Integer> training = manager.submit("train", Job.Priority.TRAINING, (m, ctx) -> {
                while (!stop.get()) {
                    permits.acquireUninterruptibly();
                    step.incrementAndGet();
                    ctx.yieldToUrgent();
                }
                return step.get();
            });

            for (int i = 0; i < 10; i++) {
                while (!permits.hasQueuedThreads()) { // the run is in the middle of a step
                    Thread.sleep(1);
                }
                int asked = step.get();
                var answer = manager.submit("prompt", m -> step.get());
                Thread.sleep(5);
                assertThat(answer).as("not in the middle of a step").isNotDone();
                permits.release();

                assertThat(answer.get(10, java.util.concurrent.TimeUnit.SECONDS)).as("answered after the step it was "
                        + "asked in, before the next").isEqualTo(asked + 1);
            }
            while (!permits.hasQueuedThreads()) { // back in a step: it ends after one more
                Thread.sleep(1);
            }
            stop.set(true);
            permits.release();
            assertThat(training.future().get(10, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(11);
        }
    }

    @Test
    void jobsRunByPriorityInteractiveThenEvaluationThenTraining() throws Exception {
        try (ModelManager manager = new ModelManager()) {
            manager.load(Golden.folder("gpt2-tiny"), "cpu").join();
            var release = new java.util.concurrent.CountDownLatch(1);
            List<String> order = new java.util.concurrent.CopyOnWriteArrayList<>();
            // a blocking job holds the worker while the others queue in the opposite order of priority
            Job<Object> blocker = manager.submit("blocker", Job.Priority.EVALUATION, (m, ctx) -> {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                return null;
            });
            while (blocker.state() != Job.State.RUNNING) {
                Thread.sleep(1);
            }
            List<Job<?>> jobs = new ArrayList<>();
            for (Job.Priority p : List.of(Job.Priority.TRAINING, Job.Priority.EVALUATION, Job.Priority.INTERACTIVE,
                    Job.Priority.EVALUATION, Job.Priority.INTERACTIVE)) {
                String name = p.name().toLowerCase(java.util.Locale.ROOT) + " " + jobs.size();
                jobs.add(manager.submit(name, p, (m, ctx) -> order.add(name)));
            }
            release.countDown();
            jobs.forEach(j -> j.future().join());

            assertThat(order).containsExactly("interactive 2", "interactive 4", "evaluation 1", "evaluation 3",
                    "training 0");
        }
    }

    @Test
    void aFinishedJobCannotBeCancelledAndACancelledOneNeverRuns() throws Exception {
        try (ModelManager manager = new ModelManager()) {
            manager.load(Golden.folder("gpt2-tiny"), "cpu").join();
            var release = new java.util.concurrent.CountDownLatch(1);
            Job<Integer> training = fakeTraining(manager, release, new ArrayList<>());
            while (training.state() != Job.State.RUNNING) {
                Thread.sleep(2);
            }
            var ran = new java.util.concurrent.atomic.AtomicBoolean();
            Job<Integer> waiting = manager.submit("second run", Job.Priority.TRAINING, (m, ctx) -> {
                ran.set(true);
                return 2;
            });
            Job<Integer> done = manager.submit("quick", Job.Priority.INTERACTIVE, (m, ctx) -> 1);
            done.future().get(10, java.util.concurrent.TimeUnit.SECONDS);

            waiting.cancel(); // while it waits for the other run
            done.cancel(); // after it ended
            release.countDown();
            training.future().join();
            Thread.sleep(50);

            assertThat(waiting.state()).isEqualTo(Job.State.CANCELLED);
            assertThat(ran).isFalse();
            assertThat(done.state()).isEqualTo(Job.State.DONE);
            assertThat(done.future().join()).isEqualTo(1);
        }
    }

    @Test
    void aSecondTrainingQueuesWithAVisibleReasonAndLoadingWaitsForTraining() throws Exception {
        try (ModelManager manager = new ModelManager()) {
            manager.load(Golden.folder("gpt2-tiny"), "cpu").join();
            List<String> log = new java.util.concurrent.CopyOnWriteArrayList<>();
            var release = new java.util.concurrent.CountDownLatch(1);
            Job<Integer> first = fakeTraining(manager, release, log);
            while (first.state() != Job.State.RUNNING) {
                Thread.sleep(2);
            }
            Job<Integer> second = manager.submit("train again", Job.Priority.TRAINING, (m, ctx) -> 1);
            var load = manager.load(Golden.folder("llama-tiny-gqa"), "cpu");
            Thread.sleep(50);

            assertThat(second.state()).isEqualTo(Job.State.QUEUED);
            assertThat(second.waitingFor()).isEqualTo("another fine-tuning run is in progress");
            assertThat(load).isNotDone();
            assertThat(manager.jobs()).extracting(Job::name).containsExactly("train", "train again", "load llama-tiny-gqa");

            release.countDown();
            assertThat(second.future().get(10, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(1);
            assertThat(load.get(10, java.util.concurrent.TimeUnit.SECONDS).config().modelType()).isEqualTo("llama");
            assertThat(manager.jobs()).isEmpty();
        }
    }

    @Test
    void everyJobEndsDoneCancelledOrFailed() throws Exception {
        try (ModelManager manager = new ModelManager()) {
            manager.load(Golden.folder("gpt2-tiny"), "cpu").join();
            var release = new java.util.concurrent.CountDownLatch(1);
            Job<Integer> running = fakeTraining(manager, release, new ArrayList<>());
            while (running.state() != Job.State.RUNNING) {
                Thread.sleep(2);
            }
            Job<Integer> queued = manager.submit("queued", Job.Priority.TRAINING, (m, ctx) -> 1);
            Job<Integer> failing = manager.submit("failing", Job.Priority.INTERACTIVE, (m, ctx) -> {
                throw new ScalesException("bad input");
            });

            queued.cancel();
            running.cancel();

            assertThatThrownBy(() -> running.future().join()).isInstanceOf(java.util.concurrent.CancellationException.class);
            assertThatThrownBy(() -> queued.future().join()).isInstanceOf(java.util.concurrent.CancellationException.class);
            assertThatThrownBy(() -> failing.future().join()).hasCauseInstanceOf(ScalesException.class);
            assertThat(running.state()).isEqualTo(Job.State.CANCELLED);
            assertThat(queued.state()).isEqualTo(Job.State.CANCELLED);
            assertThat(failing.state()).isEqualTo(Job.State.FAILED);
            Thread.sleep(50);
            assertThat(manager.jobs()).isEmpty();
        }
    }

    @Test
    void severalModelsStayLoadedAndRequestsRunOnTheOneChosen() {
        List<Optional<LoadedModel>> changes = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (ModelManager manager = new ModelManager()) {
            manager.addListener(changes::add);
            LoadedModel gpt2 = manager.load(Golden.folder("gpt2-tiny"), "cpu").join();
            LoadedModel llama = manager.load(Golden.folder("llama-tiny-gqa"), "cpu").join();

            assertThat(manager.models()).extracting(ModelManager.Entry::model).containsExactly(gpt2, llama);
            assertThat(manager.models().get(0).describe())
                    .isEqualTo("gpt2-tiny · gpt2 · 37.9K params · F32 on disk · CPU · ~185.0 KB");
            assertThat(manager.submit(m -> m.config().modelType()).join()).isEqualTo("llama");

            // the same folder on the same device is chosen again, not loaded twice
            assertThat(manager.load(Golden.folder("llama-tiny-gqa"), "cpu").join()).isSameAs(llama);
            assertThat(manager.models()).hasSize(2);

            // the menu lists both models' weights; choosing the first model's makes it current
            ModelManager.Variant gpt2Base = manager.variants().all().get(0);
            assertThat(gpt2Base).hasToString("gpt2-tiny · base weights");
            manager.use(gpt2Base.id()).join();
            assertThat(manager.submit(m -> m.config().modelType()).join()).isEqualTo("gpt2");

            // unloading the current model leaves the other, now current
            manager.unload().join();
            assertThat(manager.models()).extracting(ModelManager.Entry::model).containsExactly(llama);
            assertThat(manager.current()).containsSame(llama);
            assertThat(manager.variants().all()).extracting(ModelManager.Variant::modelName)
                    .containsExactly("llama-tiny-gqa");
            assertThat(changes).extracting(c -> c.map(LoadedModel::name).orElse("none"))
                    .containsExactly("gpt2-tiny", "llama-tiny-gqa", "gpt2-tiny", "llama-tiny-gqa");
        }
    }

    @Test
    void eachModelKeepsItsLoraVariantAndADiscardedVariantIsFreed() {
        try (ModelManager manager = new ModelManager()) {
            manager.load(Golden.folder("gpt2-tiny"), "cpu").join();
            float[] base = manager.submit(ModelManagerTest::logProbs).join();
            ModelManager.Variant tuned = loraVariant(manager);
            float[] tunedLogits = manager.submit(ModelManagerTest::logProbs).join();
            ModelManager.Variant gpt2Base = manager.variants().all().get(0);

            // away to another model and back: the LoRA variant is still the one computing
            manager.load(Golden.folder("llama-tiny-gqa"), "cpu").join();
            manager.use(tuned.id()).join();
            assertThat(manager.submit(ModelManagerTest::logProbs).join()).containsExactly(tunedLogits);

            assertThatThrownBy(() -> manager.discard(gpt2Base.id()).join()).hasMessageContaining(
                    "base weights of gpt2-tiny cannot be discarded; unload the model instead");
            manager.discard(tuned.id()).join();

            assertThat(manager.variants().active()).isEqualTo(gpt2Base);
            assertThat(manager.variants().all()).doesNotContain(tuned);
            assertThat(manager.submit(ModelManagerTest::logProbs).join()).containsExactly(base);
            assertThat(tuned.adapters().isActive()).isFalse();
            assertThat(tuned.adapters().adapters().values()).allSatisfy(a -> assertThat(a.loraB().isReleased()).isTrue());
            assertThatThrownBy(() -> manager.use(tuned.id()).join()).hasMessageContaining("no such variant");
        }
    }

    @Test
    void aThousandRequestsAndTwoHundredTrainingStepsLeaveNoArraysAndNoAccountedMemoryBehind() {
        try (ModelManager manager = new ModelManager()) {
            manager.load(Golden.folder("gpt2-tiny"), "cpu").join();
            int arraysBefore = manager.submit(m -> m.manager().getManagedArrays().size()).join();
            var accountedBefore = manager.accountedBytes();

            List<java.util.concurrent.CompletableFuture<?>> requests = new ArrayList<>();
            for (int i = 0; i < 500; i++) {
                long[] ids = {1 + i % 7, 2, 3};
                requests.add(manager.submit(m -> dev.scales.core.generate.Generator.generate(m, ids,
                        dev.scales.core.generate.GenerationSettings.greedy(4), t -> { }, () -> false)));
                requests.add(manager.submit(m -> dev.scales.core.generate.Scorer.tokenLogProbs(m, ids)));
            }
            requests.forEach(java.util.concurrent.CompletableFuture::join);
            List<dev.scales.core.train.TrainingExample> examples = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                examples.add(new dev.scales.core.train.TrainingExample(i + 1, "item " + i + " =", " " + (i % 2) + "\n"));
            }
            ModelManager.Variant tuned = manager.submit("fine-tune", Job.Priority.TRAINING, (m, ctx) -> {
                var out = dev.scales.core.train.FineTuneRun.run(m, examples, new dev.scales.core.train.FineTuneSettings(
                        new dev.scales.core.model.LoraConfig(4, 4f, 0f, List.of("c_attn")), 1e-3f, 1, 200, 4, 0.1f, true,
                        0f, 1f, 3, 50, 0.0), e -> { }, () -> false);
                return manager.addVariant("LoRA 200 steps", out.adapters());
            }).future().join();
            var accountedWithVariant = manager.accountedBytes();
            manager.discard(tuned.id()).join();

            assertThat(manager.submit(m -> m.manager().getManagedArrays().size()).join()).isEqualTo(arraysBefore);
            assertThat(accountedWithVariant.get("CPU")).isGreaterThan(accountedBefore.get("CPU"));
            assertThat(manager.accountedBytes()).isEqualTo(accountedBefore);
        }
    }

    @Test
    void aModelThatWillNotFitIsRefusedWithTheNumbersAndWhatToTry() {
        // 37,888 parameters need 37,888 × 4 × 1.25 bytes; say only 100 KB are free.
        try (ModelManager manager = new ModelManager(new MemoryCheck(() -> 100 * 1024, () -> Long.MAX_VALUE))) {
            assertThatThrownBy(() -> manager.load(Golden.folder("gpt2-tiny"), "cpu").join())
                    .hasCauseInstanceOf(ScalesException.class)
                    .hasMessageContaining("gpt2-tiny needs about 185.0 KB (37.9K parameters in F32")
                    .hasMessageContaining("has 100.0 KB free").hasMessageContaining("smaller model");
            assertThat(manager.current()).isEmpty();
        }
    }

    @Test
    void aRefusalBesideLoadedModelsSuggestsUnloadingOne() {
        MemoryCheck check = new MemoryCheck(() -> 100 * 1024, () -> Long.MAX_VALUE);
        var summary = dev.scales.core.model.ModelLoader.inspect(Golden.folder("gpt2-tiny"));

        assertThatThrownBy(() -> check.require(summary, ai.djl.Device.cpu(), List.of("big-model · 7.0B params")))
                .hasMessageContaining("unload a model loaded there (big-model · 7.0B params), close other programs");
    }

    @Test
    void theDirectBufferLimitIsNamedWithTheFlagToRaiseIt() {
        try (ModelManager manager = new ModelManager(new MemoryCheck(() -> Long.MAX_VALUE, () -> 1000))) {
            assertThatThrownBy(() -> manager.load(Golden.folder("gpt2-tiny"), "cpu").join())
                    .hasMessageContaining("-XX:MaxDirectMemorySize");
        }
    }

    @Test
    void runningOutOfMemoryFailsTheJobWithAdviceAndKeepsTheModel() {
        try (ModelManager manager = new ModelManager()) {
            manager.load(Golden.folder("gpt2-tiny"), "cpu").join();
            Job<Object> job = manager.submit("huge batch", Job.Priority.INTERACTIVE, (m, ctx) -> {
                throw new OutOfMemoryError("Cannot reserve 8589934592 bytes of direct buffer memory");
            });

            assertThatThrownBy(() -> job.future().join()).hasCauseInstanceOf(ScalesException.class)
                    .hasMessageContaining("huge batch ran out of Java memory").hasMessageContaining("-Xmx");
            assertThat(job.state()).isEqualTo(Job.State.FAILED);
            assertThat(manager.submit(m -> m.config().modelType()).join()).isEqualTo("gpt2");
        }
    }

    /** Holds a lane until the latch opens; tells when it started. */
    private static java.util.function.Function<JobContext, String> holding(java.util.concurrent.CountDownLatch release,
                                                                          java.util.concurrent.CountDownLatch started) {
        return ctx -> {
            started.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            return Thread.currentThread().getName();
        };
    }

    @Test
    void eachDeviceHasItsOwnWorkerAndTheirJobsRunSideBySide() throws Exception {
        // The GPU lane's jobs here touch no GPU: what is tested is the scheduling, which needs none.
        try (ModelManager manager = new ModelManager()) {
            var release = new java.util.concurrent.CountDownLatch(1);
            var started = new java.util.concurrent.CountDownLatch(1);
            Job<String> cpuJob = manager.submitStandalone("hold the CPU", Job.Priority.EVALUATION, ai.djl.Device.cpu(),
                    false, holding(release, started));
            started.await();

            Job<String> gpuJob = manager.submitStandalone("on the GPU", Job.Priority.EVALUATION, ai.djl.Device.gpu(0),
                    false, ctx -> Thread.currentThread().getName());

            assertThat(gpuJob.future().get(10, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo("scales-worker GPU 0");
            assertThat(cpuJob.state()).as("still holding its own lane").isEqualTo(Job.State.RUNNING);
            assertThat(manager.workers()).containsExactly("CPU", "GPU 0");
            release.countDown();
            assertThat(cpuJob.future().get(10, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo("scales-worker CPU");
        }
    }

    @Test
    void onlyOneRunTrainsAtATimeWhateverItsDeviceWhileOtherWorkGoesOn() throws Exception {
        try (ModelManager manager = new ModelManager()) {
            manager.load(Golden.folder("gpt2-tiny"), "cpu").join();
            var release = new java.util.concurrent.CountDownLatch(1);
            Job<Integer> cpuTraining = fakeTraining(manager, release, new java.util.concurrent.CopyOnWriteArrayList<>());
            while (cpuTraining.state() != Job.State.RUNNING) {
                Thread.sleep(2);
            }

            Job<String> gpuTraining = manager.submitStandalone("train on the GPU", Job.Priority.TRAINING,
                    ai.djl.Device.gpu(0), true, ctx -> "trained");
            Job<String> gpuRequest = manager.submitStandalone("answer on the GPU", Job.Priority.INTERACTIVE,
                    ai.djl.Device.gpu(0), false, ctx -> "answered");

            assertThat(gpuRequest.future().get(10, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo("answered");
            Thread.sleep(50);
            assertThat(gpuTraining.state()).isEqualTo(Job.State.QUEUED);
            assertThat(gpuTraining.waitingFor()).isEqualTo("another fine-tuning run is in progress");

            release.countDown();
            assertThat(gpuTraining.future().get(10, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo("trained");
            assertThat(gpuTraining.waitingFor()).isEmpty();
            assertThat(cpuTraining.state()).isEqualTo(Job.State.DONE);
        }
    }

    @Test
    void aRequestRunsOnTheVariantThatWasActiveWhenItWasSubmitted() throws Exception {
        try (ModelManager manager = new ModelManager()) {
            manager.load(Golden.folder("gpt2-tiny"), "cpu").join();
            ModelManager.Variant base = manager.variants().active();
            float[] baseLogits = manager.submit(ModelManagerTest::logProbs).join();
            ModelManager.Variant tuned = loraVariant(manager);
            float[] tunedLogits = manager.submit(ModelManagerTest::logProbs).join();

            // both requests queue behind a job holding the CPU's lane; the switch between them is immediate
            var release = new java.util.concurrent.CountDownLatch(1);
            var started = new java.util.concurrent.CountDownLatch(1);
            manager.submitStandalone("hold", Job.Priority.INTERACTIVE, ai.djl.Device.cpu(), false,
                    holding(release, started));
            started.await();
            var onTuned = manager.submit(ModelManagerTest::logProbs);
            manager.use(base.id()).join();
            var onBase = manager.submit(ModelManagerTest::logProbs);
            manager.use(tuned.id()).join();
            var onTunedAgain = manager.submit(ModelManagerTest::logProbs);
            release.countDown();

            assertThat(onTuned.get(10, java.util.concurrent.TimeUnit.SECONDS)).containsExactly(tunedLogits);
            assertThat(onBase.get(10, java.util.concurrent.TimeUnit.SECONDS)).containsExactly(baseLogits);
            assertThat(onTunedAgain.get(10, java.util.concurrent.TimeUnit.SECONDS)).containsExactly(tunedLogits);

            // a request bound to a variant discarded before it starts fails, naming it
            started = new java.util.concurrent.CountDownLatch(1);
            var release2 = new java.util.concurrent.CountDownLatch(1);
            manager.submitStandalone("hold", Job.Priority.INTERACTIVE, ai.djl.Device.cpu(), false,
                    holding(release2, started));
            started.await();
            var discarded = manager.discard(tuned.id()); // queued: LoRA #1 is still the active variant
            var late = manager.submit(ModelManagerTest::logProbs);
            release2.countDown();
            discarded.get(10, java.util.concurrent.TimeUnit.SECONDS);
            assertThatThrownBy(late::join).hasCauseInstanceOf(ScalesException.class)
                    .hasMessageContaining("gpt2-tiny · LoRA #1 was discarded before the job started");
        }
    }
}
