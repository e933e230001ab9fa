package dev.scales.cli;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.scales.core.device.EnvironmentInfo;
import dev.scales.core.device.DeviceInfo;
import dev.scales.core.model.ModelLocations;
import dev.scales.core.util.Bytes;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code scales info}: versions, engine, devices and where models are looked for. */
@Command(name = "info", mixinStandardHelpOptions = true,
        description = "Print versions, the engine, the devices found and where models are looked for.")
final class InfoCommand implements Callable<Integer> {
    @Option(names = "--json", description = "Print one JSON object instead of text.")
    boolean json;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        EnvironmentInfo info = EnvironmentInfo.collect();
        PrintWriter out = spec.commandLine().getOut();
        var models = new ModelLocations(info.modelRoots()).findModelFolders();
        if (json) {
            JsonObject o = new JsonObject();
            o.addProperty("scales", info.scalesVersion());
            o.addProperty("java", info.javaVersion());
            o.addProperty("djl", info.djlVersion());
            o.addProperty("engine", info.engineName());
            o.addProperty("engineVersion", info.engineVersion());
            o.addProperty("decoding", info.decoding());
            o.addProperty("offline", info.offline());
            o.addProperty("nativeCache", info.nativeCacheDir().toString());
            JsonArray devices = new JsonArray();
            for (DeviceInfo d : info.devices()) {
                JsonObject dj = new JsonObject();
                dj.addProperty("id", d.id());
                dj.addProperty("name", d.name());
                dj.addProperty("totalBytes", d.totalBytes());
                dj.addProperty("freeBytes", d.freeBytes());
                devices.add(dj);
            }
            o.add("devices", devices);
            JsonArray roots = new JsonArray();
            info.modelRoots().forEach(r -> roots.add(r.toString()));
            o.add("modelRoots", roots);
            JsonArray found = new JsonArray();
            models.forEach(m -> found.add(m.toString()));
            o.add("models", found);
            out.println(new GsonBuilder().disableHtmlEscaping().create().toJson(o));
        } else {
            out.printf("Scales      %s%n", info.scalesVersion());
            out.printf("Java        %s%n", info.javaVersion());
            out.printf("DJL         %s%n", info.djlVersion());
            out.printf("engine      %s %s%n", info.engineName(), info.engineVersion());
            out.printf("decoding    %s%n", info.decoding());
            out.printf("offline:    %s%n", info.offline());
            out.printf("natives     %s%n", info.nativeCacheDir());
            out.println("devices");
            for (DeviceInfo d : info.devices()) {
                String mem = d.totalBytes() < 0 ? "" : "  " + Bytes.format(d.totalBytes()) + " total"
                        + (d.freeBytes() < 0 ? "" : ", " + Bytes.format(d.freeBytes()) + " free");
                out.printf("  %-6s %s%s%n", d.id(), d.name(), mem);
            }
            out.println("models are looked for in");
            for (Path r : info.modelRoots()) {
                out.printf("  %s%s%n", r, Files.isDirectory(r) ? "" : "  (absent)");
            }
            out.println("models found");
            if (models.isEmpty()) {
                out.println("  none");
            }
            models.forEach(m -> out.printf("  %-24s %s%n", ModelLocations.displayName(m), m));
        }
        out.flush();
        return 0;
    }
}
