from jpoa.dataset.load import LoadReport


def describe_load(report: LoadReport) -> str:
    """One or two lines that tell an operator what loading a data set did."""
    if report.already_loaded:
        return (
            f"Data set '{report.dataset_key}' is already loaded; nothing changed "
            "(use `jpoa load --force FILE` to add records missing from the database)."
        )
    created = sum(report.created.values())
    kept = sum(report.kept.values())
    if not created:
        return f"Data set '{report.dataset_key}': every record is already present; nothing changed."
    parts = ", ".join(
        f"{n} {label.split('.')[-1].lower()}" for label, n in sorted(report.created.items())
    )
    line = f"Loaded data set '{report.dataset_key}' from {report.file_name}: {created} records ({parts})."
    if kept:
        line += f" {kept} records already present were kept as they are."
    return line
