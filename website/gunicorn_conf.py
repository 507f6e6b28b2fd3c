"""gunicorn's settings for Vigil: `gunicorn -c python:website.gunicorn_conf website.wsgi`.

gunicorn logs through its own loggers, not Django's LOGGING: its access log holds each request
line and Referer, its error log the path of a request that failed. Both get the filter that
keeps signed-link tokens out of Django's logs (core/log_redaction.py).
"""

from gunicorn.glogging import Logger

from core.log_redaction import RedactSecrets


class RedactingLogger(Logger):
    def setup(self, cfg):
        super().setup(cfg)
        # The filter sits on the loggers, so every handler gunicorn or a log config adds
        # (file, syslog, stream) receives the redacted line. setup() runs again on reload.
        for log in (self.error_log, self.access_log):
            if not any(isinstance(f, RedactSecrets) for f in log.filters):
                log.addFilter(RedactSecrets())


logger_class = RedactingLogger
