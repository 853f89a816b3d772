"""Django's file-based cache, with its culling counted, not done on every write.

Before each write Django's `FileBasedCache` lists every file of the cache directory to
see whether it holds more than MAX_ENTRIES: with thousands of pages kept, that listing
was a tenth of a server's time on matrix pages asked for the first time (issue #20), each
of them written to the cache. Here the directory is listed once every `CULL_EVERY`
writes of the process, and culled below MAX_ENTRIES as Django culls it: the cache may
hold up to CULL_EVERY entries more per process in between.
"""

import itertools

from django.core.cache.backends.filebased import FileBasedCache

CULL_EVERY = 100
_writes = itertools.count()  # of the process: Django gives each thread its own backend


class FileCache(FileBasedCache):
    def _cull(self):
        if next(_writes) % CULL_EVERY:
            return
        # Django removes a random 1/CULL_FREQUENCY of the entries when over the limit;
        # after a hundred writes that may not be enough: again, until under it.
        super()._cull()
        while self._cull_frequency and len(self._list_cache_files()) >= self._max_entries:
            super()._cull()
