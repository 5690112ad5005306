"""Salesforce credentials from the environment, and the client built from them.

Three ways in, tried in this order: an existing session (instance URL + session id; cannot
re-login when it expires), OAuth 2.0 JWT bearer (consumer key + private key file), or
username/password/security token. The last two re-login by themselves on an expired session.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import requests
from simple_salesforce.api import Salesforce

from connectors._env import Env, text
from connectors.base import ConfigError

DEFAULT_API_VERSION = "59.0"


@dataclass(frozen=True, slots=True)
class SalesforceCredentials:
    instance_url: str = ""
    session_id: str = field(default="", repr=False)
    username: str = ""
    password: str = field(default="", repr=False)
    security_token: str = field(default="", repr=False)
    domain: str = "login"
    consumer_key: str = field(default="", repr=False)
    private_key_file: str = ""

    @classmethod
    def from_env(cls, env: Env) -> SalesforceCredentials:
        credentials = cls(
            instance_url=text(env, "SALESFORCE_INSTANCE_URL"),
            session_id=text(env, "SALESFORCE_SESSION_ID"),
            username=text(env, "SALESFORCE_USERNAME"),
            password=env.get("SALESFORCE_PASSWORD", ""),
            security_token=text(env, "SALESFORCE_SECURITY_TOKEN"),
            domain=text(env, "SALESFORCE_DOMAIN") or "login",
            consumer_key=text(env, "SALESFORCE_CONSUMER_KEY"),
            private_key_file=text(env, "SALESFORCE_PRIVATE_KEY_FILE"),
        )
        credentials.method()
        return credentials

    def method(self) -> str:
        if self.session_id and self.instance_url:
            return "session"
        if self.username and self.consumer_key and self.private_key_file:
            return "jwt"
        if self.username and self.password:
            return "password"
        raise ConfigError(
            "Salesforce credentials are incomplete: set SALESFORCE_INSTANCE_URL and "
            "SALESFORCE_SESSION_ID; or SALESFORCE_USERNAME, SALESFORCE_CONSUMER_KEY and "
            "SALESFORCE_PRIVATE_KEY_FILE (JWT bearer); or SALESFORCE_USERNAME, "
            "SALESFORCE_PASSWORD and SALESFORCE_SECURITY_TOKEN (see .env.example)"
        )

    @property
    def can_relogin(self) -> bool:
        return self.method() != "session"

    def client(self, session: requests.Session, version: str) -> Salesforce:
        common: dict[str, Any] = {"session": session, "version": version}
        match self.method():
            case "session":
                return Salesforce(
                    instance_url=self.instance_url, session_id=self.session_id, **common
                )
            case "jwt":
                return Salesforce(
                    username=self.username,
                    consumer_key=self.consumer_key,
                    privatekey_file=self.private_key_file,
                    domain=self.domain,
                    **common,
                )
            case _:
                return Salesforce(
                    username=self.username,
                    password=self.password,
                    security_token=self.security_token,
                    domain=self.domain,
                    **common,
                )
