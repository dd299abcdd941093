"""HTTP API (FastAPI) with the widget and the Gradio UI on the same port. A thin layer over rag.assistant: edge
checks live in rag.access, request shapes in rag.api_schema, the catalogue in rag.catalog."""


import json
import logging
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Header, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse, JSONResponse
from fastapi.sse import EventSourceResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from rag import catalog
from rag.access import Denied, Gate, clean_text, cors_options
from rag.answering import Event, Turn
from rag.api_schema import AskRequest, SearchRequest, SourcesQuery
from rag.assistant import Assistant
from rag.filters import FilterError
from rag.generation import BackendError
from rag.index import IndexStoreError, StoreUnavailableError
from rag.retrieval import RELEVANCE_THRESHOLD
from rag.settings import Settings

log = logging.getLogger("rag.api")
STATIC = Path(__file__).resolve().parent.parent / "ui" / "static"
NOT_READY = "the index is not ready: an operator must run `rag ingest`"
STORE_DOWN = "the vector store is not reachable right now; try again in a few seconds"


def unavailable(exc: IndexStoreError) -> tuple[int, str, str]:
    """Status, client message and Retry-After for an index error; the message never holds paths or URLs."""
    if isinstance(exc, StoreUnavailableError):
        return 503, STORE_DOWN, "5"
    return 503, NOT_READY, "30"
# What /api/stats may show: not the Chroma store (a server URL is an internal address).
PUBLIC_STATS = ("generation", "created", "embedding_model", "dimension", "chunker_version", "sources", "chunks",
                "vectors", "retracted_sources", "sources_by_format")
ANSWER_EXAMPLE = {"answer": "Au Yeung et al. (2016): ... the stromal miR21 suppresses the apoptosis gene APAF1 ... [1]",
                  "citations": [{"n": 1, "source_id": "au-yeung-2016-mir21", "title": "Exosomal transfer of ...",
                                 "authors": ["Au Yeung CL", "et al."], "year": 2016, "journal": "Nature Communications",
                                 "doi": "10.1038/ncomms11150", "pmid": "", "url": "https://doi.org/10.1038/ncomms11150",
                                 "passage": "...", "chunk_id": "...", "section": "", "page": None, "retracted": False,
                                 "retraction_note": ""}],
                  "see_also": [], "refused": False, "refusal_reason": "", "backend": "extractive", "warnings": [],
                  "timings_ms": {"retrieve": 12.0, "generate": 30.0, "total": 42.0}}


def _error(status: int, message: str, headers: dict[str, str] | None = None, **extra: Any) -> JSONResponse:
    return JSONResponse({"status": status, "message": message, **extra}, status_code=status, headers=headers)


def _validation_message(exc: RequestValidationError) -> tuple[str, list[dict[str, Any]]]:
    """One readable sentence and the error list, without echoing the input back (it may be huge)."""
    errors = [{"loc": [str(p) for p in e.get("loc", ())], "msg": str(e.get("msg", ""))} for e in exc.errors()]
    text = "; ".join(f"{'.'.join(e['loc'][1:]) or 'body'}: {e['msg']}" for e in errors[:5])
    return f"invalid request: {text}", errors


def _install_error_handlers(api: FastAPI) -> None:
    @api.exception_handler(RequestValidationError)
    async def invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        message, errors = _validation_message(exc)
        return _error(422, message, errors=errors)

    @api.exception_handler(Denied)
    async def denied(_request: Request, exc: Denied) -> JSONResponse:
        return _error(exc.status, exc.message, exc.headers)

    @api.exception_handler(IndexStoreError)
    async def not_ready(_request: Request, exc: IndexStoreError) -> JSONResponse:
        log.error("index unavailable: %s", exc)  # the detail (paths, store URL) goes to the operator's log only
        status, message, retry = unavailable(exc)
        return _error(status, message, {"Retry-After": retry})

    @api.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return _error(exc.status_code, str(exc.detail), dict(exc.headers or {}))


def _sse(kind: str, payload: Any) -> str:
    return f"event: {kind}\ndata: {json.dumps(payload, ensure_ascii=False)}\n\n"


def _event_stream(events: Iterator[Event]) -> Iterator[str]:
    """Server-sent events: 'retrieval' (the ranked passages), 'delta' (answer text as produced; provisional for
    LLM backends), 'answer' (the final Answer JSON, always last), or 'error' if the request fails midway."""
    try:
        for kind, payload in events:
            if kind == "retrieval":
                yield _sse(kind, {"threshold": RELEVANCE_THRESHOLD, "results": [h.to_dict() for h in payload]})
            elif kind == "delta":
                yield _sse(kind, {"text": payload})
            else:
                yield _sse(kind, payload.to_dict())
    except IndexStoreError as exc:
        log.error("index unavailable during a stream: %s", exc)
        status, message, _retry = unavailable(exc)
        yield _sse("error", {"status": status, "message": message})
    except Exception:  # the client gets an event it can show, the operator the traceback
        log.exception("streamed answer failed")
        yield _sse("error", {"status": 500, "message": "the answer failed; please try again"})


def _router(assistant: Assistant, gate: Gate) -> APIRouter:
    settings = assistant.settings

    def admitted(request: Request, authorization: Annotated[str | None, Header()] = None) -> bool:
        """Every API call but health: token (when configured), then the per-client rate limit."""
        return gate.admit(request.client.host if request.client else "unknown", authorization)

    router = APIRouter(prefix="/api")

    @router.get("/health", responses={200: {"content": {"application/json": {"example": {
        "status": "ok", "generation": "20261128T174500-ab12cd", "embedding_model": "all-MiniLM-L6-v2",
        "sources": 70, "backends": ["extractive"], "public_backends": ["extractive"]}}}}, 503: {}})
    def health() -> JSONResponse:
        """Readiness: the index generation served, the embedding model, and the answer backends."""
        try:
            stats = assistant.index().stats()
        except IndexStoreError as exc:
            log.error("health: index unavailable: %s", exc)
            status, message, _retry = unavailable(exc)
            state = "store-unreachable" if isinstance(exc, StoreUnavailableError) else "no-index"
            return JSONResponse({"status": state, "message": message}, status_code=status)
        return JSONResponse({"status": "ok", "generation": stats["generation"],
                             "embedding_model": stats["embedding_model"], "sources": stats["sources"],
                             "backends": assistant.configured_backends(),
                             "public_backends": list(settings.public_backends)})

    @router.get("/stats", responses={200: {"content": {"application/json": {"example": {
        "generation": "...", "sources": 70, "chunks": 70, "retracted_sources": 4}}}}})
    def stats(_: Annotated[bool, Depends(admitted)]) -> dict[str, Any]:
        """What the index holds and which model built it."""
        full = assistant.index().stats()
        return {k: full[k] for k in PUBLIC_STATS if k in full}

    @router.post("/search", responses={200: {"content": {"application/json": {"example": {
        "query": "miR-365 gemcitabine macrophages", "threshold": 0.5, "results": [{
            "source_id": "binenbaum-2018-mir365", "title": "...", "year": 2018, "passage": "...", "score": 0.97,
            "components": {"dense": 0.71, "sentence": 0.66, "lexical": 1.0, "entity": 1.0, "title": 0.62}}]}}}}})
    def search(request: SearchRequest, _: Annotated[bool, Depends(admitted)]) -> dict[str, Any]:
        """Ranked sources (one passage each) with calibrated relevance scores in [0, 1]."""
        hits = assistant.search(clean_text(request.query), request.k, request.filters, request.method)
        return {"query": request.query, "threshold": RELEVANCE_THRESHOLD, "results": [h.to_dict() for h in hits]}

    def _ask_args(request: AskRequest, holder: bool) -> dict[str, Any]:
        gate.check_ask(request, holder)
        history = [Turn(t.role, clean_text(t.content)) for t in request.history]
        return {"question": clean_text(request.question), "backend": request.backend, "k": request.k,
                "filters": request.filters, "history": history}

    @router.post("/ask", responses={200: {"content": {"application/json": {"example": ANSWER_EXAMPLE}}}})
    def ask(request: AskRequest, holder: Annotated[bool, Depends(admitted)]) -> dict[str, Any]:
        """A cited answer (the Answer JSON of the README), or a refusal with 'see_also' sources."""
        try:
            return assistant.ask(**_ask_args(request, holder)).to_dict()
        except BackendError as exc:  # an unknown backend only: runtime failures fall back inside ask()
            raise Denied(422, str(exc)) from exc

    @router.post("/ask/stream", responses={200: {"content": {
        "text/event-stream": {"example": 'event: retrieval\ndata: {"threshold": 0.5, "results": [...]}\n\n'
                                         'event: delta\ndata: {"text": "Binenbaum et al. ..."}\n\n'
                                         'event: answer\ndata: {"answer": "...", "citations": [...]}\n\n'}}}})
    def ask_stream(request: AskRequest, holder: Annotated[bool, Depends(admitted)]) -> EventSourceResponse:
        """The same answer as server-sent events: `retrieval`, then `delta` text as it is produced, then the final
        `answer` (Answer JSON); an `error` event replaces `answer` if the request fails midway."""
        events = assistant.ask_events(**_ask_args(request, holder))  # opens the index now: a 503 comes before any event
        return EventSourceResponse(_event_stream(events), headers={"Cache-Control": "no-store"})

    @router.get("/sources", responses={200: {"content": {"application/json": {"example": {
        "total": 19, "page": 1, "page_size": 20, "items": [{"source_id": "au-yeung-2016-mir21", "title": "...",
                                                           "category": "ncrna-mirna", "facets": {"drugs": ["paclitaxel"]}}],
        "facets": {"category": {"ncrna-mirna": 19}, "drugs": {"cisplatin": 12}}}}}}})
    def sources(query: Annotated[SourcesQuery, Query()], _: Annotated[bool, Depends(admitted)]) -> dict[str, Any]:
        """The corpus as a list: filterable like /api/search (same names), searchable (`q`), paginated, with facet
        counts over all matches."""
        try:
            filters = query.filters()
        except FilterError as exc:
            raise Denied(422, str(exc)) from exc
        return catalog.list_sources(assistant.index(), filters, query.q, query.page, query.page_size).to_dict()

    @router.get("/sources/{source_id}", responses={404: {}, 200: {"content": {"application/json": {"example": {
        "source_id": "au-yeung-2016-mir21", "title": "...", "doi": "10.1038/ncomms11150", "category": "ncrna-mirna",
        "facets": {"targets": ["APAF1"]}, "passages": [{"chunk_id": "...", "section": "Summary", "page": None,
                                                        "text": "..."}], "references": []}}}}})
    def source(source_id: str, _: Annotated[bool, Depends(admitted)]) -> dict[str, Any]:
        """One source: bibliographic fields, facets, its passages in order and its reference list."""
        index = assistant.index()
        found = index.sources.get(source_id)
        if found is None:
            raise Denied(404, f"no source with id '{source_id[:100]}'")
        return catalog.detail(index, found)

    return router


def _widget_routes(api: FastAPI) -> None:
    @api.get("/widget.js", include_in_schema=False)
    def widget_js() -> FileResponse:
        return FileResponse(STATIC / "widget.js", media_type="text/javascript",
                            headers={"Cache-Control": "public, max-age=300"})

    @api.get("/widget/demo", include_in_schema=False)
    def widget_demo() -> FileResponse:
        return FileResponse(STATIC / "widget-demo.html", media_type="text/html")


def create_app(settings: Settings, assistant: Assistant | None = None, with_ui: bool = True) -> FastAPI:
    assistant = assistant or Assistant(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        try:  # before the server accepts connections: the first answer is then as fast as the next
            assistant.warm_up()
        except IndexStoreError as exc:
            log.error("starting without an index (API answers 503): %s", exc)
        yield

    api = FastAPI(title="exorag", version="0.2.0", lifespan=lifespan,
                  description="Cited answers over the exosome chemoresistance literature. Errors are JSON "
                              "`{status, message}`: 401 token missing, 403 backend not open, 404, 422 invalid "
                              "input, 429 rate limited (`Retry-After`), 503 index not ready.")
    _install_error_handlers(api)
    api.add_middleware(CORSMiddleware, **cors_options(settings))  # type: ignore[arg-type]
    api.include_router(_router(assistant, Gate(settings)))
    _widget_routes(api)
    if with_ui:
        import gradio as gr

        from ui.app import build_ui, css, head

        # css and head are inlined: the page needs nothing from the internet
        api = gr.mount_gradio_app(api, build_ui(assistant), path="/", css=css(), head=head(), footer_links=[])
    return api
