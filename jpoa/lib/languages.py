"""The languages jpoa keeps every text in: English, and Russian, the region's common one."""

LANGUAGES = ("en", "ru")
