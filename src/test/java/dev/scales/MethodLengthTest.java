package dev.scales;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.javaparser.ParserConfiguration;
import com.github.javaparser.StaticJavaParser;
import com.github.javaparser.ast.CompilationUnit;
import com.github.javaparser.ast.body.CallableDeclaration;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** A method a reader can hold in view: none in the product's code is longer than 80 lines. */
class MethodLengthTest {
    private static final int MAX_LINES = 80;

    @Test
    void noMethodOrConstructorIsLongerThan80Lines() throws IOException {
        StaticJavaParser.getParserConfiguration().setLanguageLevel(ParserConfiguration.LanguageLevel.JAVA_17);
        List<String> tooLong = new ArrayList<>();
        try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                CompilationUnit unit = StaticJavaParser.parse(file);
                for (CallableDeclaration<?> c : unit.findAll(CallableDeclaration.class)) {
                    int lines = c.getRange().map(r -> r.end.line - r.begin.line + 1).orElse(0);
                    if (lines > MAX_LINES) {
                        tooLong.add(file + ":" + c.getRange().get().begin.line + " " + c.getNameAsString()
                                + " (" + lines + " lines)");
                    }
                }
            }
        }
        assertThat(tooLong).as("methods over %d lines", MAX_LINES).isEmpty();
    }
}
