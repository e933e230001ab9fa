package dev.scales.ui.model;

import dev.scales.core.model.ModelLocations;
import java.io.File;
import java.nio.file.Path;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.stage.DirectoryChooser;

/** The bar on top: which model, which device. */
public final class ModelBar extends HBox {
    public ModelBar(ModelBarViewModel vm) {
        setId("model-bar");
        getStyleClass().add("model-bar");
        setSpacing(8);
        setAlignment(Pos.CENTER_LEFT);
        setPadding(new Insets(8, 12, 8, 12));

        Label brand = new Label("Scales");
        brand.getStyleClass().add("brand");

        ComboBox<Path> model = new ComboBox<>(vm.models());
        model.setId("model-choice");
        model.valueProperty().bindBidirectional(vm.selectedModelProperty());
        model.setPrefWidth(240);
        model.setCellFactory(list -> new ModelCell());
        model.setButtonCell(new ModelCell());
        model.setPromptText("No model found — open a folder");
        model.setTooltip(new Tooltip("Models are looked for in:\n" + String.join("\n",
                vm.searchRoots().stream().map(Path::toString).toList())));

        Button open = new Button("Open folder…");
        open.setId("open-model");
        open.setOnAction(e -> {
            DirectoryChooser chooser = new DirectoryChooser();
            chooser.setTitle("Open a HuggingFace model folder (config.json, *.safetensors, tokenizer.json)");
            File dir = dev.scales.ui.common.Folders.used(dev.scales.ui.common.Folders.at(chooser).showDialog(getScene().getWindow()));
            if (dir != null) {
                vm.addModelFolder(dir.toPath());
            }
        });

        ComboBox<DeviceChoice> device = new ComboBox<>(vm.devices());
        device.setId("device-choice");
        device.valueProperty().bindBidirectional(vm.selectedDeviceProperty());

        Button load = new Button("Load");
        load.setId("load-model");
        load.setOnAction(e -> vm.load());
        load.disableProperty().bind(vm.busyProperty().or(vm.selectedModelProperty().isNull()));
        Button unload = new Button("Unload");
        unload.setId("unload-model");
        unload.setOnAction(e -> vm.unload());
        unload.disableProperty().bind(vm.busyProperty().or(vm.loadedProperty().not()));
        unload.setTooltip(new Tooltip("Unload the model prompts run on now; the other loaded models stay"));
        ComboBox<dev.scales.core.device.ModelManager.Variant> variant = new ComboBox<>(vm.variants());
        variant.setId("variant-choice");
        variant.valueProperty().bindBidirectional(vm.selectedVariantProperty());
        variant.setPrefWidth(170);
        variant.setPromptText("no model");
        variant.disableProperty().bind(javafx.beans.binding.Bindings.size(vm.variants()).lessThan(2));
        variant.setTooltip(new Tooltip("The weights prompts and evaluations run on: a loaded model's base weights, "
                + "or a LoRA fine-tune of this session (it shares its model's base weights)"));
        Button discard = new Button("Discard");
        discard.setId("discard-variant");
        discard.setOnAction(e -> vm.discardVariant());
        discard.disableProperty().bind(vm.busyProperty().or(vm.canDiscardProperty().not()));
        discard.setTooltip(new Tooltip("Drop this LoRA fine-tune and free its adapters (save it first to keep it)"));
        Button openAdapter = new Button("Adapter…");
        openAdapter.setId("open-adapter");
        openAdapter.disableProperty().bind(vm.busyProperty().or(vm.loadedProperty().not()));
        openAdapter.setTooltip(new Tooltip("Open a saved LoRA adapter (a PEFT folder: adapter_config.json and "
                + "adapter_model.safetensors) onto this model's base weights, as another choice of weights"));
        openAdapter.setOnAction(e -> {
            javafx.stage.DirectoryChooser chooser = new javafx.stage.DirectoryChooser();
            chooser.setTitle("Open a LoRA adapter folder");
            java.io.File dir = dev.scales.ui.common.Folders.used(dev.scales.ui.common.Folders.at(chooser).showDialog(getScene().getWindow()));
            if (dir != null) {
                vm.openAdapter(dir.toPath());
            }
        });
        Label summary = new Label();
        summary.setId("model-summary");
        summary.getStyleClass().add("model-summary");
        summary.textProperty().bind(vm.loadedSummaryProperty());
        summary.setTooltip(new Tooltip());
        summary.getTooltip().textProperty().bind(vm.registryProperty()); // every loaded model, whole lines
        Label error = new Label();
        error.setId("model-error");
        error.getStyleClass().add("error-text");
        error.textProperty().bind(vm.errorProperty());
        error.setTooltip(new Tooltip());
        error.getTooltip().textProperty().bind(vm.errorProperty());
        error.visibleProperty().bind(vm.errorProperty().isNotEmpty());
        error.managedProperty().bind(error.visibleProperty());
        error.setMaxWidth(420);

        // Buttons and labels keep their size; the summary, the error, then the three choosers (down to a
        // short name each) give way when the window is narrow or the type is large.
        summary.setMinWidth(0);
        error.setMinWidth(0);
        HBox.setHgrow(summary, Priority.ALWAYS);
        summary.setMaxWidth(Double.MAX_VALUE);
        getChildren().addAll(brand, new Label("Model"), model, open, new Label("Device"), device, load, unload,
                new Label("Weights"), variant, openAdapter, discard, summary,
                error);
        getChildren().forEach(n -> {
            if (n instanceof Region r && n != summary && n != error) {
                r.setMinWidth(n instanceof ComboBox ? 110 : Region.USE_PREF_SIZE);
            }
        });
    }

    private static final class ModelCell extends ListCell<Path> {
        @Override
        protected void updateItem(Path item, boolean empty) {
            super.updateItem(item, empty);
            setText(empty || item == null ? null : ModelLocations.displayName(item));
        }
    }
}
