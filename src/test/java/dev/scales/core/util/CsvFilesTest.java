package dev.scales.core.util;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvFilesTest {
    @Test
    void cellsASpreadsheetWouldRunAsFormulasAreWrittenAsTextAndNumbersStayNumbers(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("outputs.csv");

        CsvFiles.write(file, List.of("input", "score"), List.of(
                List.of("=HYPERLINK(\"http://x\")", -0.5),
                List.of("+1 great", 2),
                List.of("@SUM(A1)", 0.25),
                List.of("-- dull", -1),
                List.of("fine, really", 3)));

        assertThat(Files.readAllLines(file)).containsExactly("input,score",
                "\"'=HYPERLINK(\"\"http://x\"\")\",-0.5", "'+1 great,2", "'@SUM(A1),0.25", "'-- dull,-1",
                "\"fine, really\",3");
    }
}
