"""Server-rendered HTML: the Jinja templates of a package, autoescaped, strict about names
they do not know."""

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape


def templates_of(package: str) -> Environment:
    """The templates in `package`'s `templates/` folder."""
    return Environment(
        loader=PackageLoader(package, "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
