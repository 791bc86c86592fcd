from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any, Literal

from fastapi import APIRouter, Request, UploadFile
from fastapi.responses import StreamingResponse
from starlette.background import BackgroundTask

from ember.api.deps import CurrentActor, Db
from ember.errors import InvalidInput, Problem
from ember.imports.export import HEADERS, export_lines
from ember.imports.service import import_csv

router = APIRouter(prefix="/api", tags=["import and export"])
Kind = Literal["contacts", "accounts", "deals"]
ImportKind = Literal["contacts", "accounts", "deals", "touches"]


@router.post("/import/{kind}")
def import_file(request: Request, db: Db, actor: CurrentActor, kind: ImportKind, file: UploadFile,
                all_or_nothing: bool = False, owner: str | None = None) -> dict[str, Any]:
    """Import a CSV (ours, HubSpot or Salesforce columns). Valid rows go in and each rejected row is listed
    in ``problems``; with ``all_or_nothing`` any invalid row stops the import (422) and nothing is written."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / (Path(file.filename or "upload.csv").name or "upload.csv")
        with path.open("wb") as out:
            shutil.copyfileobj(file.file, out)
        report = import_csv(db, actor, kind, path, default_owner_email=owner, all_or_nothing=all_or_nothing,
                            cadence=request.app.state.settings.cadence.planning())
    return report.as_dict()


@router.get("/export/{kind}")
def export_file(db: Db, actor: CurrentActor, kind: Kind, format: str = "ours") -> StreamingResponse:
    if format not in HEADERS[kind]:
        raise InvalidInput(f"no {format!r} format for {kind}",
                           [Problem("format", f"{format!r} is unknown", f"use one of: {', '.join(HEADERS[kind])}")])
    # Spool first: the database session ends with the request, not with the download.
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024, mode="w+b")  # noqa: SIM115 - closed after sending
    for chunk in export_lines(db, actor, kind, format):
        spool.write(chunk.encode())
    spool.seek(0)
    return StreamingResponse(
        iter(lambda: spool.read(64 * 1024), b""), media_type="text/csv",
        headers={"content-disposition": f'attachment; filename="{kind}.csv"'},
        background=BackgroundTask(spool.close),
    )
