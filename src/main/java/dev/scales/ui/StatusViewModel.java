package dev.scales.ui;

import dev.scales.core.device.Job;
import dev.scales.core.device.ProcessMemory;
import dev.scales.core.util.Bytes;
import java.util.function.LongSupplier;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;

/** The status bar's text: device, memory in use, running jobs. */
public final class StatusViewModel {
    private final ReadOnlyStringWrapper device = new ReadOnlyStringWrapper(this, "device", "device: starting…");
    private final ReadOnlyStringWrapper memory = new ReadOnlyStringWrapper(this, "memory", "");
    private final ReadOnlyStringWrapper jobs = new ReadOnlyStringWrapper(this, "jobs", "no jobs running");
    private final LongSupplier residentBytes;
    private String accounted = "";
    private final javafx.collections.ObservableList<Job<?>> jobList = javafx.collections.FXCollections.observableArrayList();
    private final javafx.collections.ObservableList<Job<?>> jobListView =
            javafx.collections.FXCollections.unmodifiableObservableList(jobList);

    public StatusViewModel() {
        this(ProcessMemory::residentBytes);
    }

    StatusViewModel(LongSupplier residentBytes) {
        this.residentBytes = residentBytes;
        refreshMemory();
    }

    /** Samples the process's memory; called periodically by the view. */
    public void refreshMemory() {
        memory.set("memory " + Bytes.format(residentBytes.getAsLong()) + accounted);
    }

    /** The model manager's accounted memory per device (models and their adapters). */
    public void setAccounted(java.util.Map<String, Long> perDevice) {
        accounted = perDevice.isEmpty() ? "" : " · models: " + String.join(", ", perDevice.entrySet().stream()
                .map(e -> e.getKey() + " " + Bytes.format(e.getValue())).toList());
        refreshMemory();
    }

    /** Shows the model manager's queued and running jobs. */
    public void setJobs(java.util.List<Job<?>> now) {
        jobList.setAll(now);
        jobs.set(now.isEmpty() ? "no jobs running" : "jobs: " + now.get(0)
                + (now.size() > 1 ? " (+" + (now.size() - 1) + " more)" : ""));
    }

    /** The jobs queued or running, the running one first. */
    public javafx.collections.ObservableList<Job<?>> jobList() {
        return jobListView;
    }

    public void setDevice(String text) {
        device.set(text);
    }

    public ReadOnlyStringProperty deviceProperty() {
        return device.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty memoryProperty() {
        return memory.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty jobsProperty() {
        return jobs.getReadOnlyProperty();
    }
}
