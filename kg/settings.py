"""Settings: the only module that reads the environment.

Every setting has a ``KG_`` environment variable (listed in the README) and can be
overridden by CLI options. Secrets are :class:`pydantic.SecretStr`, so they never
show up in a repr, a log line or an error message.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from kg.errors import ConfigError

__all__ = ["Settings", "get_settings"]


class Settings(BaseSettings):
    """`kg`'s configuration, read from ``KG_*`` environment variables."""

    model_config = SettingsConfigDict(env_prefix="KG_", extra="ignore", frozen=True)

    store: Literal["embedded", "neo4j"] = Field(
        default="embedded", description="Which store commands use by default."
    )
    db: Path = Field(default=Path("kg.db"), description="Path of the embedded store.")
    db_buffer_mb: int = Field(
        default=512, ge=16, description="Buffer pool of the embedded store, in MiB."
    )
    spacy_model: str | None = Field(
        default=None,
        description="spaCy pipeline to load; default: en_core_web_sm, else its PyPI re-upload.",
    )
    batch_size: int = Field(default=64, ge=1, description="Documents per spaCy batch.")
    processes: int = Field(default=1, ge=1, description="spaCy worker processes.")

    neo4j_uri: str | None = Field(default=None, description="Bolt URI, e.g. bolt://localhost:7687")
    neo4j_user: str = "neo4j"
    neo4j_password: SecretStr | None = None
    neo4j_database: str = "neo4j"
    neo4j_home: Path = Field(
        default=Path(".kg-neo4j"), description="Data directory of `kg neo4j start`'s server."
    )
    neo4j_port: int = Field(
        default=7687, ge=0, le=65535, description="Bolt port of `kg neo4j start` (0: any free)."
    )
    neo4j_heap: str = Field(default="1g", description="JVM heap of `kg neo4j start`'s server.")


def get_settings(**overrides: object) -> Settings:
    """Settings from the environment, with explicit ``overrides`` (None means unset)."""
    given = {k: v for k, v in overrides.items() if v is not None}
    try:
        return Settings(**given)  # type: ignore[arg-type]
    except ValidationError as err:
        problems = "; ".join(
            f"KG_{'_'.join(str(p) for p in e['loc']).upper()}: {e['msg']}" for e in err.errors()
        )
        raise ConfigError(f"invalid setting: {problems}") from None
