"""`{% kept "name" %}...{% endkept %}`: a part of a page kept between draws (core/kept_parts.py).

Outside a page that keeps its parts, the tag draws what it wraps, unchanged.
"""

from django import template

register = template.Library()


class KeptNode(template.Node):
    def __init__(self, name, nodelist):
        self.name = name
        self.nodelist = nodelist

    def render(self, context):
        request = context.get("request")
        parts = getattr(request, "kept_parts", None)
        # Only the page being served: an error page drawn for the same request draws its own.
        if parts is None or context.get("page") is not parts.page:
            return self.nodelist.render(context)
        if parts.entry is not None:
            return parts.part(self.name)
        return parts.draw(self.name, self.nodelist, context)


@register.tag
def kept(parser, token):
    bits = token.split_contents()
    if len(bits) != 2 or bits[1][0] not in "\"'" or bits[1][0] != bits[1][-1]:
        raise template.TemplateSyntaxError('Use {% kept "name" %}...{% endkept %}')
    nodelist = parser.parse(("endkept",))
    parser.delete_first_token()
    return KeptNode(bits[1][1:-1], nodelist)
