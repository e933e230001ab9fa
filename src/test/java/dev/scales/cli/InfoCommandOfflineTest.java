package dev.scales.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code scales info} starts the PyTorch engine without the network: it runs in a fresh JVM
 * (so no earlier test has loaded the engine) whose every HTTP(S) and SOCKS connection is sent
 * to a closed local port — any download attempt would fail, and the engine must still load.
 */
class InfoCommandOfflineTest {
    @Test
    void loadsTheEngineWithTheNetworkUnreachable(@TempDir Path config) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"),
                // Every route out goes to a port nobody listens on.
                "-Dhttp.proxyHost=127.0.0.1", "-Dhttp.proxyPort=9", "-Dhttps.proxyHost=127.0.0.1",
                "-Dhttps.proxyPort=9", "-DsocksProxyHost=127.0.0.1", "-DsocksProxyPort=9",
                "-Dscales.config.dir=" + config,
                "dev.scales.Launcher", "info", "--json"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(false).start();
        byte[] out = p.getInputStream().readAllBytes();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("exit code; stderr: %s", err).isZero();

        JsonObject info = JsonParser.parseString(lastLine(out)).getAsJsonObject();
        assertThat(info.get("engine").getAsString()).isEqualTo("PyTorch");
        assertThat(info.get("engineVersion").getAsString()).isEqualTo("2.7.1");
        assertThat(info.get("offline").getAsBoolean()).isTrue();
        // OpenBLAS (bundled) decodes single tokens, or the line says why libtorch does
        assertThat(info.get("decoding").getAsString()).matches("OpenBLAS \\d.*|libtorch \\(OpenBLAS did not load: .+\\)");
        assertThat(info.getAsJsonArray("devices").get(0).getAsJsonObject().get("id").getAsString()).isEqualTo("cpu");
        assertThat(err).doesNotContainIgnoringCase("download");
    }

    private static String lastLine(byte[] out) throws IOException {
        String[] lines = new String(out, StandardCharsets.UTF_8).strip().split("\n");
        return lines[lines.length - 1];
    }
}
