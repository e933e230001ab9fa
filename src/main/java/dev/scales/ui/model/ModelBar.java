package dev.scales.ui.model;

import dev.scales.core.device.ModelManager;
import dev.scales.core.model.ModelLocations;
import dev.scales.ui.common.Errors;
import dev.scales.ui.common.Folders;
import dev.scales.ui.common.ProgressRow;
import java.io.File;
import java.nio.file.Path;
import java.util.function.Consumer;
import javafx.beans.binding.Bindings;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.FlowPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Region;
import javafx.stage.DirectoryChooser;

/** The bar on top: which model, which device; it wraps onto a second row rather than cut a name short. */
public final class ModelBar extends FlowPane {
    public ModelBar(ModelBarViewModel vm) {
        setId("model-bar");
        getStyleClass().add("model-bar");
        setHgap(8);
        setVgap(6);
        setAlignment(Pos.CENTER_LEFT);
        setPadding(new Insets(8, 12, 8, 12));

        Label brand = new Label("Scales");
        brand.getStyleClass().add("brand");
        Button open = button("open-model", "Open folder…", null);
        open.setOnAction(e -> chooseFolder("Open a HuggingFace model folder (config.json, *.safetensors, "
                + "tokenizer.json)", vm::addModelFolder));
        ComboBox<DeviceChoice> device = new ComboBox<>(vm.devices());
        device.setId("device-choice");
        device.valueProperty().bindBidirectional(vm.selectedDeviceProperty());
        Button load = button("load-model", "Load", null);
        load.setOnAction(e -> vm.load());
        load.disableProperty().bind(vm.busyProperty().or(vm.selectedModelProperty().isNull()));
        Button unload = button("unload-model", "Unload",
                "Unload the model prompts run on now; the other loaded models stay");
        unload.setOnAction(e -> vm.unload());
        unload.disableProperty().bind(vm.busyProperty().or(vm.loadedProperty().not()));
        Label summary = summary(vm);
        Label error = error(vm);

        // Everything keeps its size and the bar wraps when the window is narrow or the type large; the
        // summary and the error wrap their own text.
        getChildren().addAll(brand, named("Model", modelChooser(vm)), open, named("Device", device), load, unload,
                named("Weights", variantChooser(vm)), adapterButton(vm), discardButton(vm), summary,
                new ProgressRow(vm.loadProgress(), "model-load", "Model load progress").keepingItsPlace(), error);
        getChildren().forEach(n -> {
            if (n instanceof Region r && n != summary && n != error) {
                r.setMinWidth(Region.USE_PREF_SIZE);
            }
        });
        // the bar's rows end at its width: the longest texts wrap inside it
        summary.maxWidthProperty().bind(widthProperty().subtract(24));
    }

    private static ComboBox<Path> modelChooser(ModelBarViewModel vm) {
        ComboBox<Path> model = new ComboBox<>(vm.models());
        model.setId("model-choice");
        model.valueProperty().bindBidirectional(vm.selectedModelProperty());
        model.setPrefWidth(240);
        model.setCellFactory(list -> new ModelCell());
        model.setButtonCell(new ModelCell());
        model.setPromptText("No model found — open a folder");
        model.setTooltip(new Tooltip("Models are looked for in:\n" + String.join("\n",
                vm.searchRoots().stream().map(Path::toString).toList())));
        return model;
    }

    private static ComboBox<ModelManager.Variant> variantChooser(ModelBarViewModel vm) {
        ComboBox<ModelManager.Variant> variant = new ComboBox<>(vm.variants());
        variant.setId("variant-choice");
        variant.valueProperty().bindBidirectional(vm.selectedVariantProperty());
        variant.setPromptText("no model");
        variant.disableProperty().bind(Bindings.size(vm.variants()).lessThan(2));
        variant.setTooltip(new Tooltip("The weights prompts and evaluations run on: a loaded model's base weights, "
                + "or a LoRA fine-tune made since the app started (it shares its model's base weights)"));
        return variant;
    }

    private Button adapterButton(ModelBarViewModel vm) {
        Button openAdapter = button("open-adapter", "Adapter…", "Open a saved LoRA adapter (a PEFT folder: "
                + "adapter_config.json and adapter_model.safetensors) onto this model's base weights, as another "
                + "choice of weights");
        openAdapter.disableProperty().bind(vm.busyProperty().or(vm.loadedProperty().not()));
        openAdapter.setOnAction(e -> chooseFolder("Open a LoRA adapter folder", vm::openAdapter));
        return openAdapter;
    }

    private static Button discardButton(ModelBarViewModel vm) {
        Button discard = button("discard-variant", "Discard",
                "Drop this LoRA fine-tune and free its adapters (save it first to keep it)");
        discard.setOnAction(e -> vm.discardVariant());
        discard.disableProperty().bind(vm.busyProperty().or(vm.canDiscardProperty().not()));
        return discard;
    }

    private static Label summary(ModelBarViewModel vm) {
        Label summary = new Label();
        summary.setId("model-summary");
        summary.getStyleClass().add("model-summary");
        summary.textProperty().bind(vm.loadedSummaryProperty());
        summary.setTooltip(new Tooltip());
        summary.getTooltip().textProperty().bind(vm.registryProperty()); // every loaded model, whole lines
        summary.setWrapText(true);
        return summary;
    }

    private static Label error(ModelBarViewModel vm) {
        Label error = new Label();
        error.setId("model-error");
        error.getStyleClass().add(Errors.STYLE_CLASS);
        error.textProperty().bind(vm.errorProperty());
        error.setTooltip(new Tooltip());
        error.getTooltip().textProperty().bind(vm.errorProperty());
        error.visibleProperty().bind(vm.errorProperty().isNotEmpty());
        error.managedProperty().bind(error.visibleProperty());
        error.setWrapText(true);
        error.setMaxWidth(420);
        return error;
    }

    /** A chooser with its name before it (its label for a screen reader), kept on one row when the bar wraps. */
    private static HBox named(String name, ComboBox<?> chooser) {
        chooser.setMinWidth(Region.USE_PREF_SIZE);
        Label label = new Label(name);
        label.setLabelFor(chooser);
        HBox pair = new HBox(6, label, chooser);
        pair.setAlignment(Pos.CENTER_LEFT);
        return pair;
    }

    private static Button button(String id, String text, String tip) {
        Button b = new Button(text);
        b.setId(id);
        if (tip != null) {
            b.setTooltip(new Tooltip(tip));
        }
        return b;
    }

    /** A folder dialog opening where the last one was used; the folder chosen, if any, goes to {@code then}. */
    private void chooseFolder(String title, Consumer<Path> then) {
        DirectoryChooser chooser = new DirectoryChooser();
        chooser.setTitle(title);
        File dir = Folders.used(Folders.at(chooser).showDialog(getScene().getWindow()));
        if (dir != null) {
            then.accept(dir.toPath());
        }
    }

    private static final class ModelCell extends ListCell<Path> {
        @Override
        protected void updateItem(Path item, boolean empty) {
            super.updateItem(item, empty);
            setText(empty || item == null ? null : ModelLocations.displayName(item));
        }
    }
}
