"""The public filter form of the matrix views: GET parameters in, `MatrixFilters` out."""

from django import forms
from django.forms.utils import flatatt
from django.utils.choices import BaseChoiceIterator
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from jpoa.core.models import Organisation

from .models import Activity, Edition
from .selectors import REGION, UNSTATED, FilterOptions, MatrixFilters


class ListSelect(forms.Select):
    """A select whose options are joined as text, not rendered one template each.

    The organisations' list has hundreds of options: through Django's option templates
    it cost more of a matrix page's time than counting the matrix (issue #20). Escaping
    them anew for every page still cost a third of the list of activities' time, so a
    form may give the widget a place to keep its options' text (`cache`, under
    `cache_key`): they are then escaped once, and a page only marks the chosen ones.
    """

    cache: dict | None = None
    cache_key: tuple = ()

    def render(self, name, value, attrs=None, renderer=None):
        chosen = {str(v) for v in self.format_value(value)}
        attrs = self.build_attrs(self.attrs, attrs)
        parts, positions = self._options(name)
        if chosen & positions.keys():
            parts = list(parts)
            for value_ in chosen & positions.keys():
                for at, selected in positions[value_]:
                    parts[at] = selected
        head = format_html('<select name="{}"{}>', name, flatatt(attrs))
        return mark_safe("\n".join([head, *parts, "</select>"]))

    def _options(self, name: str) -> tuple[list[str], dict[str, list[tuple[int, str]]]]:
        """The options' text, none chosen, and where each value's option is with its
        chosen text."""
        key = (name, get_language(), *self.cache_key)
        found = self.cache.get(key) if self.cache is not None else None
        if found is None:
            found = ([], {})
            for option, label in self.choices:
                if isinstance(label, list | tuple):
                    found[0].append(format_html('<optgroup label="{}">', option))
                    for value, text in label:
                        self._add(found, value, text)
                    found[0].append("</optgroup>")
                else:
                    self._add(found, option, label)
            if self.cache is not None:
                self.cache[key] = found
        return found

    @staticmethod
    def _add(found, value, label) -> None:
        parts, positions = found
        value = "" if value is None else str(value)
        head, tail = (
            f'<option value="{conditional_escape(value)}"',
            f">{conditional_escape(label)}</option>",
        )
        positions.setdefault(value, []).append((len(parts), f"{head} selected{tail}"))
        parts.append(head + tail)


class TextNumberInput(forms.NumberInput):
    """A number input written as text, as Django's template for it writes it, not through
    the template engine (two of them on every matrix page, issue #20)."""

    def render(self, name, value, attrs=None, renderer=None):
        value = self.format_value(value)
        return format_html(
            '<input type="{}" name="{}"{}{}>',
            self.input_type,
            name,
            format_html(' value="{}"', value) if value is not None else "",
            flatatt(self.build_attrs(self.attrs, attrs)),
        )


class KeptChoices(BaseChoiceIterator):
    """Choices already in the form Django normalises them to, made once per read of the
    filter options and given to each page's form as they are: Django walks a plain list of
    choices anew for every form (hundreds of organisations and action items), which cost
    more than counting a never-asked matrix (issue #20)."""

    def __init__(self, choices: list):
        self.choices = choices

    def __iter__(self):
        return iter(self.choices)


class MatrixFilterForm(forms.Form):
    edition = forms.TypedChoiceField(
        label=_("Edition"), coerce=int, required=False, widget=ListSelect
    )
    country = forms.ChoiceField(label=_("Country"), required=False, widget=ListSelect)
    pillar = forms.ChoiceField(label=_("Pillar"), required=False, widget=ListSelect)
    item = forms.TypedChoiceField(
        label=_("Plan action item"), coerce=int, required=False, widget=ListSelect
    )
    organisation = forms.ChoiceField(
        label=_("Lead organisation"), required=False, widget=ListSelect
    )
    # Their choices are given per form, kept (`KeptChoices`): copying these lazy labels
    # for every form cost more than all the other fields.
    organisation_type = forms.ChoiceField(
        label=_("Organisation type"), required=False, widget=ListSelect
    )
    status = forms.ChoiceField(label=_("Status"), required=False, widget=ListSelect)
    year_from = forms.IntegerField(
        label=_("From year"), required=False, min_value=1900, max_value=2200, widget=TextNumberInput
    )
    year_to = forms.IntegerField(
        label=_("To year"), required=False, min_value=1900, max_value=2200, widget=TextNumberInput
    )
    framework = forms.ChoiceField(label=_("Group by"), required=False, widget=ListSelect)
    area = forms.ChoiceField(label=_("Framework area"), required=False, widget=ListSelect)

    def __init__(self, data, *, options: FilterOptions, editions: list[Edition]):
        super().__init__(data)
        chosen = (data or {}).get("framework")
        shown = [f for f in options.frameworks if f.key == chosen] or options.frameworks
        # What the choices depend on besides the options: the editions, the framework
        # chosen. They are made once for each, and kept with the options read.
        by_edition = tuple((e.pk, e.number, e.title, e.as_of) for e in editions)
        by_framework = tuple(f.key for f in shown)
        kept = options.__dict__.setdefault("kept_choices", {})
        choices = kept.get((by_edition, by_framework))
        if choices is None:
            choices = kept[by_edition, by_framework] = {
                name: KeptChoices(listed)
                for name, listed in _choices(options, editions, shown).items()
            }
        rendered = options.__dict__.setdefault("rendered_options", {})
        for name, field in self.fields.items():
            if name in choices:
                field.choices = choices[name]
            if isinstance(field.widget, ListSelect):
                field.widget.cache = rendered
        self.fields["edition"].widget.cache_key = by_edition
        self.fields["area"].widget.cache_key = by_framework
        self._kept_fields = options.__dict__.setdefault("rendered_fields", {})

    def fields_html(self) -> SafeString:
        """Each filter's label and control, as a template's loop over the fields wrote
        them: the loop was most of the time of a matrix page's head (issue #20).

        A field's HTML depends only on its value (and the choices, kept with the options
        read): a valid one is kept there too, so a page asked for the first time mostly
        writes what other pages wrote before. A field in error is written anew.
        """
        kept = self._kept_fields
        cleaned = getattr(self, "cleaned_data", {})
        parts = []
        for field in self:
            value = field.value()
            # Kept only for a value as the form cleans it ("2012", not "02012"): the
            # values kept are then the choices and the years, however a URL spells them.
            canonical = not field.errors and (
                value in (None, "") or str(cleaned.get(field.name)) == str(value)
            )
            widget = field.field.widget
            key = (field.name, str(value), getattr(widget, "cache_key", ()))
            html = kept.get(key) if canonical else None
            if html is None:
                html = format_html(
                    '<div class="matrix-filter">\n  <label for="{}">{}</label>\n  {}\n</div>',
                    field.id_for_label,
                    field.label,
                    field.as_widget(),
                )
                if canonical:
                    kept[key] = html
            parts.append(html)
        return mark_safe("\n".join(parts))  # noqa: S308 - each part was escaped

    def clean(self):
        data = super().clean()
        start, end = data.get("year_from"), data.get("year_to")
        if start and end and start > end:
            self.add_error("year_to", _("The last year comes before the first."))
        if data.get("area") and not data.get("framework") and "framework" not in self.errors:
            self.add_error("area", _("Choose the framework the area belongs to (Group by)."))
        return data

    def filters(self) -> MatrixFilters:
        """The valid filters; an invalid value is reported by the form and ignored."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return MatrixFilters(
            **{
                name: data.get(name) or None
                for name in MatrixFilters.__dataclass_fields__
                if name not in self.errors
            }
        )

    def edition_number(self) -> int | None:
        self.is_valid()
        if "edition" in self.errors:
            return None
        return getattr(self, "cleaned_data", {}).get("edition") or None


def _choices(options: FilterOptions, editions: list[Edition], shown: list) -> dict[str, list]:
    """Each select's choices: the options read, the editions, the frameworks shown."""
    return {
        "edition": [
            ("", _("Latest")),
            *((e.number, f"{e.number}. {e.title} ({e.as_of:%Y-%m-%d})") for e in editions),
        ],
        "country": [
            ("", _("All countries")),
            (REGION, _("Region-wide")),
            (UNSTATED, _("No country stated")),
            *((c.iso2, c.name) for c in options.countries),
        ],
        "pillar": [
            ("", _("All pillars")),
            *((str(p.number), str(p)) for p in options.pillars),
            (UNSTATED, _("No pillar stated")),
        ],
        "item": [
            ("", _("All action items")),
            *((i.pk, f"{i.code} {i.title}") for i in options.items),
        ],
        "organisation": [
            ("", _("All organisations")),
            *((o.key, str(o)) for o in options.organisations),
        ],
        "organisation_type": [("", _("All types")), *Organisation.Type.choices],
        "status": [("", _("Any status")), *Activity.Status.choices],
        "framework": [
            ("", _("The Strategy's pillars")),
            *((f.key, str(f)) for f in options.frameworks),
        ],
        "area": [
            ("", _("All areas")),
            *((str(f), [(a.code, f"{a.code}. {a.title}") for a in f.area_list]) for f in shown),
        ],
    }
