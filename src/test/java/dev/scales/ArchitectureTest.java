package dev.scales;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaFieldAccess;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import dev.scales.core.model.Architecture;

/**
 * The layers, as docs/ARCHITECTURE.md draws them. Dependencies point inward: ui and cli use
 * core; core uses neither, nor JavaFX; the UI reaches the engine only through core. Inside core:
 * model ← generate ← eval ← experiment, with train beside eval and device under both.
 */
@AnalyzeClasses(packages = "dev.scales", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {
    private static final String CORE = "dev.scales.core";

    @ArchTest
    static final ArchRule coreDoesNotUseJavaFx = noClasses().that().resideInAPackage("dev.scales.core..")
            .should().dependOnClassesThat().resideInAnyPackage("javafx..", "org.jfree.chart.fx..", "org.controlsfx..")
            .because("core must run headless in tests and the CLI");

    @ArchTest
    static final ArchRule coreDoesNotUseUiOrCli = noClasses().that().resideInAPackage("dev.scales.core..")
            .should().dependOnClassesThat().resideInAnyPackage("dev.scales.ui..", "dev.scales.cli..");

    @ArchTest
    static final ArchRule cliDoesNotUseUi = noClasses().that().resideInAPackage("dev.scales.cli..")
            .should().dependOnClassesThat().resideInAPackage("dev.scales.ui..");

    @ArchTest
    static final ArchRule uiDoesNotUseDjl = noClasses().that().resideInAPackage("dev.scales.ui..")
            .should().dependOnClassesThat().resideInAPackage("ai.djl..")
            .because("the UI binds to view models over core; devices, arrays and models are core's");

    @ArchTest
    static final ArchRule modelIsTheBottomLayer = noClasses().that().resideInAPackage(CORE + ".model..")
            .should().dependOnClassesThat().resideInAnyPackage(CORE + ".generate..", CORE + ".eval..",
                    CORE + ".experiment..", CORE + ".train..", CORE + ".device..", CORE + ".data..");

    @ArchTest
    static final ArchRule generateUsesOnlyTheModel = noClasses().that().resideInAPackage(CORE + ".generate..")
            .should().dependOnClassesThat().resideInAnyPackage(CORE + ".eval..", CORE + ".experiment..",
                    CORE + ".train..", CORE + ".device..");

    @ArchTest
    static final ArchRule evalDoesNotTrain = noClasses().that().resideInAPackage(CORE + ".eval..")
            .should().dependOnClassesThat().resideInAnyPackage(CORE + ".experiment..", CORE + ".train..",
                    CORE + ".device..")
            .because("evaluation scores a model as it is; studies that train and evaluate are experiments");

    @ArchTest
    static final ArchRule trainDoesNotEvaluateOrExperiment = noClasses().that().resideInAPackage(CORE + ".train..")
            .should().dependOnClassesThat().resideInAnyPackage(CORE + ".eval..", CORE + ".experiment..");

    @ArchTest
    static final ArchRule deviceKnowsOnlyModels = noClasses().that().resideInAPackage(CORE + ".device..")
            .should().dependOnClassesThat().resideInAnyPackage(CORE + ".generate..", CORE + ".eval..",
                    CORE + ".experiment..", CORE + ".train..", CORE + ".data..", CORE + ".prompt..")
            .because("the model manager schedules any job; what a job does is the layers' above");

    /** Each top-level package of core (and core's own classes) is one slice; ui and cli packages too. */
    @ArchTest
    static final ArchRule noPackageCycles = slices().assignedFrom(new SliceAssignment() {
        @Override
        public SliceIdentifier getIdentifierOf(JavaClass c) {
            String p = c.getPackageName();
            if (!p.startsWith("dev.scales")) {
                return SliceIdentifier.ignore();
            }
            String[] parts = p.split("\\.");
            return SliceIdentifier.of(String.join(".", java.util.Arrays.copyOfRange(parts, 0,
                    Math.min(parts.length, 4))));
        }

        @Override
        public String getDescription() {
            return "the packages under dev.scales, core's sub-packages each as one";
        }
    }).should().beFreeOfCycles();

    /**
     * A family is chosen by an exhaustive {@code switch} or by the family's own methods, never by
     * {@code architecture == GPT2}: a third family would fall through such a test unnoticed. A
     * switch on an enum reads the constants in a synthetic class of its own, which is allowed, and so
     * is a constant naming a default in a static field.
     */
    @ArchTest
    static final ArchRule familiesAreNotComparedByConstant = classes()
            .that(DescribedPredicate.describe("are not the family type or a switch's synthetic table",
                    (JavaClass c) -> !c.isEquivalentTo(Architecture.class) && !c.getName().startsWith(
                            Architecture.class.getName() + "$")
                            && !c.getModifiers().contains(com.tngtech.archunit.core.domain.JavaModifier.SYNTHETIC)))
            .should(notReadAFamilyConstant());

    private static ArchCondition<JavaClass> notReadAFamilyConstant() {
        return new ArchCondition<>("not read a constant of " + Architecture.class.getSimpleName()) {
            @Override
            public void check(JavaClass c, ConditionEvents events) {
                for (JavaFieldAccess access : c.getFieldAccessesFromSelf()) {
                    // a constant naming a default (a static field's value) chooses nothing at run time
                    if (access.getTargetOwner().isEquivalentTo(Architecture.class)
                            && !(access.getOrigin() instanceof com.tngtech.archunit.core.domain.JavaStaticInitializer)
                            && access.getTarget().resolveMember().map(f -> f.getModifiers()
                            .contains(com.tngtech.archunit.core.domain.JavaModifier.ENUM)).orElse(false)) {
                        events.add(SimpleConditionEvent.violated(c, access.getDescription()));
                    }
                }
            }
        };
    }
}
