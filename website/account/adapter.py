"""allauth, told what Vigil knows about the request."""

from allauth.account.adapter import DefaultAccountAdapter

from core.ratelimit import client_ip


class AccountAdapter(DefaultAccountAdapter):
    def get_client_ip(self, request):
        """The visitor's address for allauth's sign-in, code and reset limits: the same one
        Vigil's own limits use, so behind `TRUSTED_PROXY_COUNT` proxies one client's bad
        sign-ins lock out that client, not everyone behind the proxy."""
        return client_ip(request)
