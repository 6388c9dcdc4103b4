"""The client of the configured model provider, shared by the chat and the title embeddings.

Seed 000's AZURE_OPENAI_KEY / AZURE_OPENAI_ENDPOINT / AZURE_OPENAI_API_VERSION select Azure
OpenAI (models are deployments, named by AZURE_DEPLOYMENT_NAME_*); otherwise OPENAI_API_KEY,
with an optional OPENAI_BASE_URL (a local OpenAI-compatible server), selects OpenAI. Neither:
offline, no client.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mediavault_assets.settings import Secrets, revealed

if TYPE_CHECKING:
    from openai import OpenAI

DEFAULT_EMBEDDING_MODEL = "text-embedding-3-small"


def openai_client(
    secrets: Secrets, *, timeout: float = 60.0, max_retries: int = 1
) -> OpenAI | None:
    """The configured provider's client, or None offline."""
    # Imported here: the openai package takes ~0.4 s to import, and most runs have no provider.
    from openai import AzureOpenAI, OpenAI

    if secrets.chat_provider == "azure":
        return AzureOpenAI(
            api_key=revealed(secrets.azure_openai_key),
            azure_endpoint=secrets.azure_openai_endpoint,
            api_version=secrets.azure_openai_api_version,
            timeout=timeout,
            max_retries=max_retries,
        )
    if secrets.chat_provider == "openai":
        return OpenAI(
            api_key=revealed(secrets.openai_api_key),
            base_url=secrets.openai_base_url,
            timeout=timeout,
            max_retries=max_retries,
        )
    return None


def embedding_model(secrets: Secrets) -> str | None:
    """The embedding model (an Azure deployment) of the configured provider, or None offline:
    AZURE_DEPLOYMENT_NAME_EMBEDDING or OPENAI_EMBEDDING_MODEL, default text-embedding-3-small."""
    if secrets.chat_provider == "azure":
        return secrets.azure_deployment_name_embedding or DEFAULT_EMBEDDING_MODEL
    if secrets.chat_provider == "openai":
        return secrets.openai_embedding_model or DEFAULT_EMBEDDING_MODEL
    return None
