"""KPIs: the declarative catalogue (instruments/kpis.yaml) and, later, their computation."""

from evalkit.kpi.catalogue import Catalogue, Kpi, check_definition_file, load_catalogue

__all__ = ["Catalogue", "Kpi", "check_definition_file", "load_catalogue"]
