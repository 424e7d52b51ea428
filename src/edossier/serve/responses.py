"""The node's refusal: a JSON body `{"error": {"code", "status", "message": {"en", "zh-CN"}}}` with the
N code's registry messages and its HTTP status (docs/serve.md lists them). Below both the API routes
(app.py) and the web page (web.py), which each answer with it."""

from __future__ import annotations

from fastapi.responses import JSONResponse

from . import edo

STATUS = {"N005": 422, "N006": 404, "N007": 202, "N010": 401, "N011": 401, "N012": 401, "N013": 401,
          "N014": 403, "N015": 403, "N016": 413, "N017": 415, "N018": 400, "N019": 400,
          "N020": 404, "N021": 422, "N022": 408}


def error(code: str, **params) -> JSONResponse:
    f = edo.finding(code, **params)
    status = STATUS.get(code, 400)
    return JSONResponse({"error": {"code": code, "status": status, "message": {"en": f.message_en,
                                                                              "zh-CN": f.message_zh}}},
                        status_code=status)
