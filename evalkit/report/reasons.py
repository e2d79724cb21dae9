"""Why a KPI was not computed, in the report's language.

The KPI stage states its reasons in English (they are also the CLI's and the JSON's); the
Spanish report translates the known ones, keeping ids, periods and numbers as they are. An
unknown reason is shown as written rather than guessed at.
"""

from __future__ import annotations

import re

SPANISH: list[tuple[str, str]] = [
    (r"no (\S+) responses for (\S+)", "sin respuestas de {0} para {1}"),
    (r"no (\S+) responses", "sin respuestas de {0}"),
    (r"column '(.+)' is missing from the responses", "falta la columna '{0}' en las respuestas"),
    (r"no answers", "sin respuestas"),
    (r"no respondents in the KPI's population", "nadie en la población del indicador"),
    (r"the denominator is zero", "el denominador es cero"),
    (r"no population shares given \(pass --population FILE\)",
     "no se dieron las proporciones de población (use --population ARCHIVO)"),
    (r"the population shares file has no '(.+)'",
     "el archivo de proporciones de población no tiene '{0}'"),
    (r"population shares file is missing for this group",
     "falta el archivo de proporciones de población para este grupo"),
    (r"fewer than two answers in (\S+) or (\S+)", "menos de dos respuestas en {0} o {1}"),
    (r"fewer than (\d+) respondents", "menos de {0} personas"),
    (r"no respondents linked by (\S+) in both instruments",
     "ninguna persona vinculada por {0} en ambos instrumentos"),
    (r"the responses have no hashed (\S+) to link instruments",
     "las respuestas no tienen {0} cifrado para vincular instrumentos"),
]  # fmt: skip


def reason_in(text: str, lang: str) -> str:
    """``text`` (a KPI's reason) in ``lang``; English and unknown reasons unchanged.

    Examples
    --------
    >>> reason_in("no follow_up responses for 2026", "es")
    'sin respuestas de follow_up para 2026'
    >>> reason_in("fewer than 10 respondents", "es"), reason_in("something new", "es")
    ('menos de 10 personas', 'something new')
    """
    if lang != "es":
        return text
    for pattern, template in SPANISH:
        match = re.fullmatch(pattern, text.strip())
        if match:
            return template.format(*match.groups())
    return text
