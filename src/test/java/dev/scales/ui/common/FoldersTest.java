package dev.scales.ui.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import javafx.stage.DirectoryChooser;
import javafx.stage.FileChooser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FoldersTest {
    @Test
    void dialogsOpenInTheSampleDataThenWhereTheLastOneWasOrBesideTheFileAtHand(@TempDir Path dir) throws Exception {
        assertThat(Folders.initial()).isEqualTo(dev.scales.core.AppPaths.home().resolve("sample-data"));

        Path data = Files.createDirectories(dir.resolve("my data"));
        Path test = Files.writeString(data.resolve("test.jsonl"), "{}\n");
        File chosen = Folders.used(test.toFile());

        assertThat(chosen).isEqualTo(test.toFile());
        assertThat(Folders.initial()).isEqualTo(data);
        assertThat(Folders.at(new FileChooser()).getInitialDirectory()).isEqualTo(data.toFile());
        assertThat(Folders.at(new DirectoryChooser()).getInitialDirectory()).isEqualTo(data.toFile());

        FileChooser beside = Folders.at(new FileChooser(), test);
        assertThat(beside.getInitialDirectory()).isEqualTo(data.toFile());
        assertThat(beside.getInitialFileName()).isEqualTo("test.jsonl");

        DirectoryChooser told = new DirectoryChooser();
        told.setInitialDirectory(dir.toFile());
        assertThat(Folders.at(told).getInitialDirectory()).as("a folder the dialog was told stays").isEqualTo(dir.toFile());

        Folders.used(null); // a cancelled dialog changes nothing
        assertThat(Folders.initial()).isEqualTo(data);
    }
}
