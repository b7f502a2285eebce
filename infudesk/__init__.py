"""infudesk: the front-desk desktop app of an infusion center."""

__version__ = "0.1.0"
APP_NAME = "infudesk"
