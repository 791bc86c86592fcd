from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Literal

from fastapi import APIRouter, Request, UploadFile
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field
from starlette.background import BackgroundTask

from ember.api.deps import CurrentActor, Db
from ember.api.schemas import streamed
from ember.errors import InvalidInput, Problem
from ember.imports.export import HEADERS, export_lines
from ember.imports.service import import_csv

router = APIRouter(prefix="/api", tags=["import and export"])
Kind = Literal["contacts", "accounts", "deals"]
ImportKind = Literal["contacts", "accounts", "deals", "touches"]


class ImportReportOut(BaseModel):
    kind: str
    created: int
    updated: int
    merged: int = Field(description="Rows that matched a record already stored and were merged into it")
    rejected: int
    encoding: str = Field(description="How the file was read (UTF-8, UTF-16, Windows-1252, ...)")
    ignored_columns: list[str]
    notes: list[str]
    warnings: list[str]
    rejected_file: str | None
    problems: list[str] = Field(description="Why each rejected row was refused (the first 1,000)")


@router.post("/import/{kind}")
def import_file(request: Request, db: Db, actor: CurrentActor, kind: ImportKind, file: UploadFile,
                all_or_nothing: bool = False, owner: str | None = None) -> ImportReportOut:
    """Import a CSV (ours, HubSpot or Salesforce columns). Valid rows go in and each rejected row is listed
    in ``problems``; with ``all_or_nothing`` any invalid row stops the import (422) and nothing is written."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / (Path(file.filename or "upload.csv").name or "upload.csv")
        with path.open("wb") as out:
            shutil.copyfileobj(file.file, out)
        report = import_csv(db, actor, kind, path, default_owner_email=owner, all_or_nothing=all_or_nothing,
                            cadence=request.app.state.settings.cadence.planning())
    return ImportReportOut.model_validate(report.as_dict())


@router.get("/export/{kind}", response_class=StreamingResponse,
            responses=streamed("text/csv", "The records as CSV, in our columns or a CRM's"))
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
