"""Apache Kafka in KRaft mode (one combined broker + controller) from Maven Central's artifacts."""

from __future__ import annotations

import base64
import re
import subprocess
import uuid
from pathlib import Path

from confluent_kafka.admin import AdminClient

from tmdb_pipeline.settings import KafkaSettings, StackSettings
from tmdb_pipeline.stack.artifacts import maven_jars
from tmdb_pipeline.stack.process import LocalService, StackError, port_is_open

LOG4J2 = """\
status = warn
appender.file.type = RollingFile
appender.file.name = file
appender.file.fileName = ${sys:kafka.logs.dir}/server.log
appender.file.filePattern = ${sys:kafka.logs.dir}/server.log.%i
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
appender.file.policies.type = Policies
appender.file.policies.size.type = SizeBasedTriggeringPolicy
appender.file.policies.size.size = 20MB
appender.file.strategy.type = DefaultRolloverStrategy
appender.file.strategy.max = 3
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = file
logger.kafka.name = kafka
logger.kafka.level = INFO
logger.state.name = state.change.logger
logger.state.level = WARN
"""


class KafkaService(LocalService):
    name = "kafka"

    def __init__(self, stack: StackSettings, kafka: KafkaSettings) -> None:
        super().__init__(stack)
        self.kafka = kafka
        self.data_dir = self.root / "data"
        self.config_file = self.root / "server.properties"

    @property
    def ports(self) -> list[int]:
        return [self.kafka.port, self.kafka.controller_port]

    @property
    def address(self) -> str:
        return f"{self.stack.host}:{self.kafka.port}"

    @property
    def libs(self) -> Path:
        return self.stack.downloads / f"kafka-{self.kafka.version}"

    def install(self) -> None:
        maven_jars("kafka.pom.xml", self.libs, {"kafka.version": self.kafka.version})

    def _java(self, main_class: str, *args: str) -> list[str]:
        return [
            "java",
            f"-Xmx{self.kafka.heap}",
            f"-Xms{self.kafka.heap}",
            "-XX:+UseG1GC",
            "-Djava.awt.headless=true",
            f"-Dkafka.logs.dir={self.root / 'logs'}",
            f"-Dlog4j2.configurationFile={self.root / 'log4j2.properties'}",
            "-cp",
            f"{self.libs}/*",
            main_class,
            *args,
        ]

    def prepare(self) -> None:
        host = self.stack.host
        self.root.mkdir(parents=True, exist_ok=True)
        (self.root / "log4j2.properties").write_text(LOG4J2)
        self.config_file.write_text(
            "\n".join(
                [
                    "process.roles=broker,controller",
                    "node.id=1",
                    f"controller.quorum.voters=1@{host}:{self.kafka.controller_port}",
                    f"listeners=PLAINTEXT://{host}:{self.kafka.port},CONTROLLER://{host}:{self.kafka.controller_port}",
                    f"advertised.listeners=PLAINTEXT://{host}:{self.kafka.port}",
                    "controller.listener.names=CONTROLLER",
                    "inter.broker.listener.name=PLAINTEXT",
                    "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                    f"log.dirs={self.data_dir}",
                    f"num.partitions={self.kafka.partitions}",
                    # topics are created explicitly, with the partitions and retention from settings
                    "auto.create.topics.enable=false",
                    "offsets.topic.replication.factor=1",
                    "transaction.state.log.replication.factor=1",
                    "transaction.state.log.min.isr=1",
                    "share.coordinator.state.topic.replication.factor=1",
                    "share.coordinator.state.topic.min.isr=1",
                    "group.initial.rebalance.delay.ms=0",
                    "num.network.threads=2",
                    "num.io.threads=2",
                    "log.retention.hours=-1",
                    "",
                ]
            )
        )
        if not (self.data_dir / "meta.properties").exists():
            cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).rstrip(b"=").decode()
            result = subprocess.run(
                self._java(
                    "kafka.tools.StorageTool",
                    "format",
                    f"--cluster-id={cluster_id}",
                    "--config",
                    str(self.config_file),
                ),
                capture_output=True,
                text=True,
            )
            if result.returncode != 0:
                raise StackError(f"Formatting Kafka's storage failed:\n{result.stdout}{result.stderr}")

    def command(self) -> list[str]:
        return self._java("kafka.Kafka", str(self.config_file))

    def healthy(self) -> bool:
        if not port_is_open(self.stack.host, self.kafka.port):
            return False
        admin = AdminClient({"bootstrap.servers": self.address, "socket.timeout.ms": 2000, "log_level": 0})
        try:
            metadata = admin.list_topics(timeout=2)
        except Exception:
            return False
        return bool(metadata.brokers)

    def version(self) -> str:
        """The version the running broker logged at start (AppInfoParser's 'Kafka version: x')."""
        try:
            text = (self.root / "logs" / "server.log").read_text(errors="replace")
        except OSError:
            text = ""
        found = re.findall(r"Kafka version: (\S+)", text)
        return f"Apache Kafka {found[-1]} (KRaft)" if found else "Apache Kafka (version not logged yet)"
