"""Counts the database queries of each request, for `make bench-rush` (bench/rush_settings.py).

Each worker process appends one line per request -- method, path, status, queries -- to a file
of its own in RUSH_QUERY_LOG_DIR (nothing when it is unset); the benchmark reads the files
after the load. A sync worker serves one request at a time, so a plain counter is enough.
"""

import os

from django.db import connection


class CountQueries:
    def __init__(self, get_response):
        self.get_response = get_response
        self.folder = os.environ.get("RUSH_QUERY_LOG_DIR")

    def __call__(self, request):
        if not self.folder:
            return self.get_response(request)
        queries = 0

        def count(execute, sql, params, many, context):
            nonlocal queries
            queries += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            response = self.get_response(request)
        line = f"{request.method}\t{request.path}\t{response.status_code}\t{queries}\n"
        with open(os.path.join(self.folder, f"queries-{os.getpid()}.tsv"), "a") as log:
            log.write(line)
        return response
