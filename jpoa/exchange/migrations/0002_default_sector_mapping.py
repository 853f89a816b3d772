"""The default IATI sector → pillar mapping (editable afterwards in the back office)."""

from django.db import migrations

# OECD DAC 5-digit purpose codes of governance, peace and security, and the pillar of
# the UN Global Counter-Terrorism Strategy whose work they usually fund:
# I conditions conducive, II preventing and combating, III capacity, IV human rights.
DEFAULT_SECTOR_PILLARS = {
    "15110": (3, "Public sector policy and administrative management"),
    "15111": (3, "Public finance management"),
    "15113": (3, "Anti-corruption organisations and institutions"),
    "15130": (4, "Legal and judicial development"),
    "15150": (1, "Democratic participation and civil society"),
    "15160": (4, "Human rights"),
    "15180": (4, "Ending violence against women and girls"),
    "15210": (3, "Security system management and reform"),
    "15220": (1, "Civilian peace-building, conflict prevention and resolution"),
    "15230": (3, "Participation in international peacekeeping operations"),
    "15240": (2, "Reintegration and SALW control"),
    "15250": (2, "Removal of land mines and explosive remnants of war"),
    "15261": (1, "Child soldiers (prevention and demobilisation)"),
}


def add_defaults(apps, schema_editor):
    SectorMapping = apps.get_model("exchange", "SectorMapping")
    SectorMapping.objects.bulk_create(
        [
            SectorMapping(vocabulary="1", code=code, pillar_number=pillar, note=note)
            for code, (pillar, note) in DEFAULT_SECTOR_PILLARS.items()
        ],
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [("exchange", "0001_initial")]
    operations = [migrations.RunPython(add_defaults, migrations.RunPython.noop)]
