"""anymail tracking webhooks: bounces and complaints feed the suppression list."""
