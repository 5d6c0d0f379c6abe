"""Configuration: typed models (the schema), TOML loading and the legacy pair."""

from tarwatch.config.load import find_config_file, load_config, load_toml
from tarwatch.config.models import Config, Defaults, Hub, Node, Overrides

__all__ = [
    "Config",
    "Defaults",
    "Hub",
    "Node",
    "Overrides",
    "find_config_file",
    "load_config",
    "load_toml",
]
