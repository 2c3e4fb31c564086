"""AWS for the write path, reached on first use: the service starts (and serves
reads) without reaching AWS, and discovers its Identity Center instance once."""

from __future__ import annotations

import threading
from collections.abc import Callable

from connector.aws import AwsClients
from connector.config import Settings
from connector.intents import Target
from connector.readers.instance import Instance, discover_instance


class AwsAccess:
    def __init__(self, settings: Settings, connect: Callable[[], AwsClients]) -> None:
        self._settings = settings
        self._connect = connect
        self._aws: AwsClients | None = None
        self._instance: Instance | None = None
        self._lock = threading.Lock()

    def aws(self) -> AwsClients:
        with self._lock:
            if self._aws is None:
                self._aws = self._connect()
            return self._aws

    def instance(self) -> Instance:
        aws = self.aws()
        with self._lock:
            if self._instance is None:
                self._instance = discover_instance(aws, self._settings)
            return self._instance

    def target(self) -> Target:
        instance = self.instance()
        return Target(instance.instance_arn, instance.identity_store_id)
