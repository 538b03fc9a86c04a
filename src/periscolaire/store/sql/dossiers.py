"""One commune's family dossiers in a database.

A dossier is one row per (family, school year): its stored form
(:meth:`periscolaire.Dossier.to_dict`) without its health part, the health
part apart (sealed with the host's keys, :mod:`periscolaire.store.health`),
and a version bumped by every write. A unit of work locks the row, lets the
dossier's rules change it, and writes it back; two workers changing one
dossier take turns, and a form sent back stale is refused by the rules'
per-fiche versions (:class:`~periscolaire.FamilyDossier`). Files are rows of
their own (or files in a directory), by family and SHA-256, never changed.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from periscolaire.errors import StoreError
from periscolaire.store import Document
from periscolaire.store.health import HealthCipher, dumps, join_health, loads, split_health
from periscolaire.store.sql.connection import CommunePart, insert_ignoring_duplicates
from periscolaire.store.sql.schema import dossier_table, file_table

if TYPE_CHECKING:
    from periscolaire.store.sql import SQLStore

__all__ = ["DirectoryFiles", "SQLDossiers"]

T = TypeVar("T")
_D = dossier_table.c
_F = file_table.c
_ATTEMPTS = 4


class DirectoryFiles:
    """Files in a directory: ``<root>/<commune>/<family>/<sha256>``, each
    written once (to a temporary name, then renamed: never half a file)."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)
        if not self.root.is_dir():
            raise StoreError(f"files : le dossier {self.root} n'existe pas.", code="bad_files")

    def _path(self, commune: str, family: str, sha256: str) -> Path:
        # Ids are free text: hex-encoded, they are safe names on any file system.
        return self.root / commune.encode().hex() / family.encode().hex() / sha256

    def put(self, commune: str, family: str, sha256: str, content: bytes) -> None:
        path = self._path(commune, family, sha256)
        if not path.exists():
            self._write(path, content)

    def _write(self, path: Path, content: bytes) -> None:
        """``content`` at ``path``, whole or not at all: written aside, then
        renamed over the old file (which stays readable until then)."""
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".part-")
            try:
                with os.fdopen(fd, "wb") as out:
                    out.write(content)
                    out.flush()
                    os.fsync(out.fileno())
                os.replace(temporary, path)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
        except OSError as exc:
            raise StoreError(
                f"Écriture impossible dans {self.root} : {exc.strerror}.", code="files_unwritable"
            ) from exc

    def get(self, commune: str, family: str, sha256: str) -> bytes | None:
        try:
            return self._path(commune, family, sha256).read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise StoreError(
                f"Lecture impossible dans {self.root} : {exc.strerror}.", code="files_unreadable"
            ) from exc

    def all(self, commune: str) -> list[tuple[str, str]]:
        base = self.root / commune.encode().hex()
        if not base.is_dir():
            return []
        return [
            (bytes.fromhex(family.name).decode(), file.name)
            for family in sorted(base.iterdir())
            for file in sorted(family.iterdir())
            if not file.name.startswith(".")
        ]

    def replace(self, commune: str, family: str, sha256: str, content: bytes) -> None:
        self._write(self._path(commune, family, sha256), content)

    def __repr__(self) -> str:
        return f"DirectoryFiles({str(self.root)!r})"


class SQLDossiers(CommunePart):
    """One commune's dossiers in a database (see the module)."""

    def __init__(
        self, store: SQLStore, commune: str, cipher: HealthCipher, files: DirectoryFiles | None
    ) -> None:
        super().__init__(store, commune)
        self._cipher = cipher
        self._directory = files
        self._ignore_duplicates = insert_ignoring_duplicates(store.dialect, file_table)

    def _key(self, family: str, school_year: int) -> tuple[Any, ...]:
        return (_D.commune == self.commune, _D.family == family, _D.school_year == school_year)

    def _decode(self, document: str, health: str) -> Document:
        return join_health(loads(document), loads(self._cipher.open(health.encode())))

    def _encode(self, document: Document) -> dict[str, str]:
        rest, health = split_health(document)
        return {"document": dumps(rest).decode(), "health": self._cipher.seal(dumps(health)).decode()}

    def run(
        self,
        family: str,
        school_year: int,
        work: Callable[[Document | None], tuple[Document | None, T]],
        *,
        files: Mapping[str, bytes] | None = None,
    ) -> T:
        def unit_of_work(conn: Connection) -> T:
            row = conn.execute(
                sa.select(_D.version, _D.document, _D.health)
                .where(*self._key(family, school_year))
                .with_for_update()
            ).first()
            stored = None if row is None else self._decode(row.document, row.health)
            new, result = work(stored)
            if new is None:
                return result
            # The rules accepted the change: only now are its files sealed and kept.
            sealed = {sha: self._cipher.seal(bytes(content)) for sha, content in (files or {}).items()}
            if self._directory is not None:
                for sha, content in sealed.items():  # before the dossier that names them
                    self._directory.put(self.commune, family, sha, content)
            elif sealed:
                conn.execute(
                    self._ignore_duplicates,
                    [
                        {"commune": self.commune, "family": family, "sha256": sha, "content": content}
                        for sha, content in sealed.items()
                    ],
                )
            values = self._encode(new)
            if row is None:
                conn.execute(
                    sa.insert(dossier_table).values(
                        commune=self.commune, family=family, school_year=school_year, version=1, **values
                    )
                )
            else:
                done = conn.execute(
                    sa.update(dossier_table)
                    .where(*self._key(family, school_year), _D.version == row.version)
                    .values(version=row.version + 1, **values)
                )
                if done.rowcount != 1:  # pragma: no cover - the row is locked
                    raise StoreError("Le dossier a changé pendant l'écriture.", code="store_failure")
            return result

        for attempt in range(1, _ATTEMPTS + 1):
            try:
                return self._write(unit_of_work)
            except StoreError as exc:
                # Two workers creating the same dossier: the second sees the first's row.
                if attempt < _ATTEMPTS and isinstance(exc.__cause__, sa.exc.IntegrityError):
                    continue
                raise
        raise AssertionError("unreachable")  # pragma: no cover

    def read(self, family: str, school_year: int) -> tuple[Document, int] | None:
        rows = self._read(
            sa.select(_D.version, _D.document, _D.health).where(*self._key(family, school_year))
        )
        if not rows:
            return None
        return self._decode(rows[0].document, rows[0].health), rows[0].version

    def years(self, family: str) -> list[int]:
        query = sa.select(_D.school_year).where(_D.commune == self.commune, _D.family == family)
        return [y for (y,) in self._read(query.order_by(_D.school_year))]

    def families(self, school_year: int) -> list[str]:
        query = sa.select(_D.family).where(_D.commune == self.commune, _D.school_year == school_year)
        return [f for (f,) in self._read(query.order_by(_D.family))]

    def file(self, family: str, sha256: str) -> bytes | None:
        if self._directory is not None:
            content = self._directory.get(self.commune, family, sha256)
        else:
            rows = self._read(
                sa.select(_F.content).where(
                    _F.commune == self.commune, _F.family == family, _F.sha256 == sha256
                )
            )
            content = rows[0].content if rows else None
        return None if content is None else self._cipher.open(bytes(content))

    def rotate_keys(self) -> int:
        """Every dossier's health part and every file sealed again with the
        newest key, one row per transaction (a long rotation never holds
        every lock; run it again after a crash)."""
        count = 0
        for family, year in self._read(
            sa.select(_D.family, _D.school_year).where(_D.commune == self.commune).order_by(_D.family)
        ):

            def reseal(conn: Connection, family: str = family, year: int = year) -> None:
                row = conn.execute(
                    sa.select(_D.health).where(*self._key(family, year)).with_for_update()
                ).first()
                if row is not None:
                    health = self._cipher.reseal(row.health.encode()).decode()
                    conn.execute(
                        sa.update(dossier_table).where(*self._key(family, year)).values(health=health)
                    )

            self._write(reseal)
            count += 1
        if self._directory is not None:
            for family, sha in self._directory.all(self.commune):
                content = self._directory.get(self.commune, family, sha)
                if content is not None:
                    self._directory.replace(self.commune, family, sha, self._cipher.reseal(content))
                    count += 1
            return count
        for family, sha in self._read(
            sa.select(_F.family, _F.sha256).where(_F.commune == self.commune).order_by(_F.family, _F.sha256)
        ):
            where = (_F.commune == self.commune, _F.family == family, _F.sha256 == sha)

            def reseal_file(conn: Connection, where: tuple[Any, ...] = where) -> None:
                content = conn.execute(sa.select(_F.content).where(*where).with_for_update()).scalar_one()
                conn.execute(
                    sa.update(file_table).where(*where).values(content=self._cipher.reseal(bytes(content)))
                )

            self._write(reseal_file)
            count += 1
        return count

    def __repr__(self) -> str:
        return f"SQLDossiers({self.store.url!r}, commune={self.commune!r})"
