from jpoa.dataset.load import LoadReport


def describe_load(report: LoadReport) -> str:
    """One or two lines that tell an operator what loading a data set did."""
    if report.already_loaded:
        return (
            f"Data set '{report.dataset_key}' (revision {report.revision}) is already loaded; "
            "nothing changed (use `jpoa load --force FILE` to add records missing from the "
            "database)."
        )
    created = sum(report.created.values())
    kept = sum(report.kept.values())
    corrections = _describe_corrections(report)
    if not created:
        head = "no record to add" if report.not_restored else "every record is already present"
        tail = corrections or "nothing changed."
        return f"Data set '{report.dataset_key}': {head}; {tail}" + _describe_not_restored(report)
    parts = ", ".join(
        f"{n} {label.split('.')[-1].lower()}" for label, n in sorted(report.created.items())
    )
    verb = f"Loaded data set '{report.dataset_key}'"
    if report.loaded_revision is not None:
        verb = (
            f"Updated data set '{report.dataset_key}' from revision {report.loaded_revision} "
            f"to {report.revision}"
        )
    line = f"{verb} from {report.file_name}: {created} records ({parts})."
    if kept:
        line += f" {kept} records already present were kept as they are."
    if corrections:
        line += " " + corrections
    return line + _describe_not_restored(report)


def _describe_not_restored(report: LoadReport) -> str:
    missing = sum(report.not_restored.values())
    if not missing:
        return ""
    return (
        f" {missing} records of an earlier revision that are no longer in the database "
        "(deleted by an editor) were not restored (`jpoa load --force FILE` restores them)."
    )


def _describe_corrections(report: LoadReport) -> str:
    applied = sum(report.corrected.values())
    if not applied and not report.corrections_kept:
        return ""
    text = f"{applied} corrections applied."
    if report.corrections_kept:
        text += (
            f" {report.corrections_kept} values an editor had changed were kept "
            "instead of corrected."
        )
    return text
