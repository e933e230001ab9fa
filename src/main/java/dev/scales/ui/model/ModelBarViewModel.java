package dev.scales.ui.model;

import dev.scales.core.device.EnvironmentInfo;
import dev.scales.core.device.Job;
import dev.scales.core.device.ModelManager;
import dev.scales.core.model.LoadedModel;
import dev.scales.core.util.Bytes;
import java.util.Optional;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import dev.scales.core.model.ModelLocations;
import dev.scales.ui.common.Errors;
import dev.scales.ui.common.JobProgress;
import dev.scales.ui.common.UiThread;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleObjectProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/**
 * State of the model bar: the model folders found, the one chosen, the devices the engine
 * sees and the one chosen. The engine starts in the background; until it answers, the device
 * menu offers Auto only and the status says the engine is starting.
 */
public final class ModelBarViewModel {
    private final ObservableList<Path> models = FXCollections.observableArrayList();
    private final ObjectProperty<Path> selectedModel = new SimpleObjectProperty<>(this, "selectedModel");
    private final ObservableList<DeviceChoice> devices = FXCollections.observableArrayList(DeviceChoice.AUTO);
    private final ObjectProperty<DeviceChoice> selectedDevice = new SimpleObjectProperty<>(this, "selectedDevice",
            DeviceChoice.AUTO);
    private final ReadOnlyStringWrapper engineStatus = new ReadOnlyStringWrapper(this, "engineStatus",
            "engine starting…");
    private final ReadOnlyObjectWrapper<EnvironmentInfo> environment = new ReadOnlyObjectWrapper<>(this, "environment");
    private final ReadOnlyStringWrapper loadedSummary = new ReadOnlyStringWrapper(this, "loadedSummary",
            "no model loaded");
    private final ReadOnlyStringWrapper registry = new ReadOnlyStringWrapper(this, "registry", "no model loaded");
    private final ReadOnlyBooleanWrapper canDiscard = new ReadOnlyBooleanWrapper(this, "canDiscard");
    private final ReadOnlyBooleanWrapper busy = new ReadOnlyBooleanWrapper(this, "busy");
    private final ReadOnlyBooleanWrapper loaded = new ReadOnlyBooleanWrapper(this, "loaded");
    private final ReadOnlyStringWrapper error = new ReadOnlyStringWrapper(this, "error", "");
    private final ObservableList<ModelManager.Variant> variants = FXCollections.observableArrayList();
    private final ObjectProperty<ModelManager.Variant> selectedVariant = new SimpleObjectProperty<>(this,
            "selectedVariant");
    private boolean showingVariants;
    private final JobProgress loading;
    private volatile Job<LoadedModel> loadJob;
    private final ModelLocations locations;
    private final ModelManager manager;
    private final UiThread ui;

    public ModelBarViewModel(ModelLocations locations, ModelManager manager, UiThread ui) {
        this.locations = locations;
        this.manager = manager;
        this.ui = ui;
        this.loading = new JobProgress(ui);
        manager.addListener(model -> ui.run(() -> showModel(model)));
        manager.addVariantListener(v -> ui.run(() -> showVariants(v)));
        selectedVariant.addListener((o, was, now) -> {
            if (!showingVariants && now != null) {
                useVariant(now);
            }
        });
    }

    /** Prompts, evaluations and training run on {@code variant} from the next request on. */
    private void useVariant(ModelManager.Variant variant) {
        error.set("");
        manager.use(variant.id()).whenComplete((v, e) -> ui.run(() -> {
            if (e != null) {
                error.set(Errors.message(e));
                showVariants(manager.variants());
            }
        }));
    }

    private void showVariants(ModelManager.Variants v) {
        showingVariants = true;
        try {
            variants.setAll(v.all());
            selectedVariant.set(v.active());
        } finally {
            showingVariants = false;
        }
        canDiscard.set(v.active() != null && !v.active().isBase());
        List<ModelManager.Entry> loadedModels = manager.models();
        registry.set(loadedModels.isEmpty() ? "no model loaded" : "Loaded models (" + loadedModels.size() + "):\n"
                + String.join("\n", loadedModels.stream().map(e -> "• " + e.describe()).toList()));
    }

    /**
     * Drops the active LoRA variant and frees its adapters; prompts run on its model's base weights
     * again. Refused (with the reason shown) while a run trains.
     */
    public void discardVariant() {
        ModelManager.Variant v = selectedVariant.get();
        if (v == null || v.isBase()) {
            return;
        }
        error.set("");
        manager.discard(v.id()).whenComplete((x, e) -> ui.run(() -> {
            if (e != null) {
                error.set(Errors.message(e));
            }
        }));
    }

    /**
     * Opens a PEFT LoRA adapter folder (written by Scales or by HF PEFT) onto the current model's
     * base weights as a new variant, and makes it the one prompts run on. An adapter made for
     * another model is refused with the reason; the model stays as it was.
     */
    public void openAdapter(Path dir) {
        if (!loaded.get()) {
            error.set("Load a model first: an adapter is opened onto its base weights.");
            return;
        }
        String name = dir.getFileName() == null ? dir.toString() : dir.getFileName().toString();
        busy.set(true);
        error.set("");
        manager.submit("open adapter " + name, m -> {
            manager.useBase();
            dev.scales.core.model.LoraAdapters adapters = dev.scales.core.model.LoraAdapters.load(m, dir);
            try {
                return manager.addVariant(name, adapters);
            } catch (RuntimeException e) {
                adapters.close();
                throw e;
            }
        }).whenComplete((v, e) -> ui.run(() -> {
            busy.set(false);
            if (e != null) {
                error.set(Errors.message(e));
            }
        }));
    }

    /**
     * Loads the selected folder on the selected device, beside the models already loaded, and makes it
     * the current one, the share of its weights read shown as it goes ({@link #loadProgress}); an
     * error is shown, the app goes on. A cancelled load leaves the models as they were.
     */
    public void load() {
        Path folder = selectedModel.get();
        if (folder == null) {
            error.set("Choose a model folder first.");
            return;
        }
        busy.set(true);
        error.set("");
        loadedSummary.set("loading " + ModelLocations.displayName(folder) + "…");
        JobProgress.Run shown = loading.start(this::cancelLoad);
        Job<LoadedModel> job = manager.load(folder, selectedDevice.get() == null ? DeviceChoice.AUTO.id()
                : selectedDevice.get().id(), shown);
        loadJob = job;
        job.future().whenComplete((m, e) -> ui.run(() -> {
            loadJob = null;
            shown.end();
            busy.set(false);
            if (e != null) {
                error.set(Errors.isCancellation(e) ? "" : Errors.message(e));
                showModel(manager.current());
            }
        }));
    }

    /** Stops a load under way between two of its tensors; what it had read is freed. */
    public void cancelLoad() {
        Job<LoadedModel> job = loadJob;
        if (job != null) {
            job.cancel();
        }
    }

    /** A load under way: the share of the weights read, the time left, and its Cancel. */
    public JobProgress loadProgress() {
        return loading;
    }

    /** Unloads the current model; the most recently loaded of the others becomes current. */
    public void unload() {
        busy.set(true);
        manager.unload().whenComplete((v, e) -> ui.run(() -> {
            busy.set(false);
            if (e != null) {
                error.set(Errors.message(e));
            }
        }));
    }

    private void showModel(Optional<LoadedModel> model) {
        loaded.set(model.isPresent());
        loadedSummary.set(model.map(ModelBarViewModel::summary).orElse("no model loaded"));
    }

    static String summary(LoadedModel m) {
        var c = m.config();
        return m.name() + " · " + c.modelType() + " · " + Bytes.count(c.parameterCount()) + " params · "
                + c.maxPositions() + " context · " + m.deviceName();
    }


    /** Rescans the model folders; keeps the selection when it is still there. */
    public void refreshModels() {
        Path keep = selectedModel.get();
        List<Path> found = locations.findModelFolders();
        models.setAll(found);
        if (keep != null && !models.contains(keep)) {
            models.add(keep);
        }
        if (selectedModel.get() == null && !models.isEmpty()) {
            selectedModel.set(models.get(0));
        }
    }

    /** Adds a folder the user opened (it need not be under a search root) and selects it. */
    public void addModelFolder(Path folder) {
        Path p = folder.toAbsolutePath().normalize();
        if (!models.contains(p)) {
            models.add(p);
        }
        selectedModel.set(p);
    }

    /** Starts the engine on {@code background} and fills the device menu when it answers. */
    public void startEngine(Executor background, Supplier<EnvironmentInfo> probe) {
        background.execute(() -> {
            try {
                EnvironmentInfo info = probe.get();
                ui.run(() -> engineReady(info));
            } catch (RuntimeException | UnsatisfiedLinkError e) {
                // a fault, not the user's: the details open as well (Errors)
                ui.run(() -> engineStatus.set("engine failed to start: " + Errors.message(e)));
            }
        });
    }

    private void engineReady(EnvironmentInfo info) {
        DeviceChoice current = selectedDevice.get();
        String keep = current == null ? DeviceChoice.AUTO.id() : current.id();
        devices.setAll(DeviceChoice.AUTO);
        info.devices().forEach(d -> devices.add(DeviceChoice.of(d)));
        selectDevice(keep);
        // Last: listeners of the environment see the full device list.
        environment.set(info);
        engineStatus.set(info.engineName() + " " + info.engineVersion() + (info.offline() ? " · offline" : ""));
    }

    /** Selects the device with this id, or Auto when it is not (or no longer) present. */
    public void selectDevice(String id) {
        selectedDevice.set(devices.stream().filter(d -> d.id().equals(id)).findFirst().orElse(DeviceChoice.AUTO));
    }

    public ObservableList<Path> models() {
        return models;
    }

    public ObjectProperty<Path> selectedModelProperty() {
        return selectedModel;
    }

    /** The loaded model's weights to run on: the base, and each LoRA fine-tune of this session. */
    public ObservableList<ModelManager.Variant> variants() {
        return variants;
    }

    public ObjectProperty<ModelManager.Variant> selectedVariantProperty() {
        return selectedVariant;
    }

    public ObservableList<DeviceChoice> devices() {
        return devices;
    }

    public ObjectProperty<DeviceChoice> selectedDeviceProperty() {
        return selectedDevice;
    }

    public ReadOnlyStringProperty engineStatusProperty() {
        return engineStatus.getReadOnlyProperty();
    }

    public ReadOnlyObjectProperty<EnvironmentInfo> environmentProperty() {
        return environment.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty loadedSummaryProperty() {
        return loadedSummary.getReadOnlyProperty();
    }

    /** Every loaded model, one line each (name, architecture, size, dtype, device, memory). */
    public ReadOnlyStringProperty registryProperty() {
        return registry.getReadOnlyProperty();
    }

    /** Whether the active weights are a LoRA variant, which can be discarded. */
    public ReadOnlyBooleanProperty canDiscardProperty() {
        return canDiscard.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty busyProperty() {
        return busy.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty loadedProperty() {
        return loaded.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty errorProperty() {
        return error.getReadOnlyProperty();
    }

    public List<Path> searchRoots() {
        return locations.roots();
    }
}
