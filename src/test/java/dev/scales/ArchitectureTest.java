package dev.scales;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** Dependencies point inward: ui and cli use core; core uses neither, nor JavaFX. */
@AnalyzeClasses(packages = "dev.scales", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {
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
}
