"""Files, the way Slack takes them from a bot today: files.getUploadURLExternal hands out a
single-use upload URL that expires, the bytes are POSTed there (raw or multipart) and must be
what was declared (a .png a real PNG, of the declared length), then
files.completeUploadExternal finishes the upload, privately or shared into a channel.

Upload-URL lifetime and the upload endpoint's refusal statuses are not documented by Slack;
the values here are ours (marked), chosen to refuse whatever a real service could refuse."""

from __future__ import annotations

import json
import secrets
from datetime import timedelta
from typing import Any

import aiohttp
from aiohttp import web

from app.sandbox.png_check import png_info
from app.sandbox.server.file_refs import IMAGE_TYPES, permalink, url_private
from app.sandbox.server.message_checks import MessageChecks
from app.sandbox.server.slack_errors import SlackError
from app.sandbox.state import Message, SandboxFile

UPLOAD_URL_TTL = timedelta(minutes=10)  # ours: Slack documents no lifetime
MAX_FILE_BYTES = 1_000_000_000  # Slack's documented 1 GB file limit
ALT_TXT_LIMIT = 1_000  # ours: Slack names the error (alt_txt_too_large), not the limit
FILENAME_LIMIT = 255
COMPLETE_FILES_LIMIT = 10  # ours: files shared by one completeUploadExternal


class FileMethods(MessageChecks):
    upload_failures: list[int]  # statuses the next uploads are refused with (tests arm them)
    hold_processing: bool  # files completed meanwhile stay "processing" (Slack's async jobs)

    def fail_uploads(self, count: int = 1, status: int = 500) -> None:
        """The next `count` uploads to an upload URL are answered with `status`."""
        self.upload_failures.extend([status] * count)

    async def _get_upload_url(self, args: dict[str, Any]) -> dict[str, Any]:
        filename = str(args["filename"])
        length_text = str(args["length"])
        if not length_text.isdigit() or not 0 < int(length_text) <= MAX_FILE_BYTES:
            raise SlackError("invalid_arguments", detail="length must be a positive byte count")
        if len(filename) > FILENAME_LIMIT or "/" in filename:
            raise SlackError("invalid_arguments", detail="filename is too long or has a /")
        if args.get("alt_txt") and len(str(args["alt_txt"])) > ALT_TXT_LIMIT:
            raise SlackError("alt_txt_too_large")
        file = SandboxFile(
            id=self.state.next_id("F"),
            filename=filename,
            length=int(length_text),
            upload_token=secrets.token_urlsafe(24),
            issued_at=self.clock(),
        )
        self.state.files[file.id] = file
        return {"upload_url": f"{self.base_url}/upload/v1/{file.upload_token}", "file_id": file.id}

    async def _serve_upload(self, request: web.Request) -> web.Response:
        """The upload URL: 200 "OK - <length>" once; anything else refused, nothing kept."""
        token = request.match_info["token"]
        file = next((f for f in self.state.files.values() if f.upload_token == token), None)
        if file is None or file.uploaded is not None:
            return web.Response(status=404, text="upload URL not found or already used")
        if self.clock() - file.issued_at > UPLOAD_URL_TTL:
            return web.Response(status=404, text="upload URL expired")
        if self.upload_failures:
            return web.Response(status=self.upload_failures.pop(0), text="upload failed")
        data = await _uploaded_bytes(request)
        if data is None:
            return web.Response(status=400, text="no file in the request")
        if len(data) != file.length:
            return web.Response(
                status=400, text=f"declared {file.length} bytes, received {len(data)}"
            )
        if file.filetype == "png" and png_info(data) is None:
            return web.Response(status=400, text="the bytes are not a well-formed PNG")
        file.uploaded = data
        return web.Response(status=200, text=f"OK - {len(data)}")

    async def _complete_upload(self, args: dict[str, Any]) -> dict[str, Any]:
        wanted = _file_list(args.get("files"))
        files = []
        for entry in wanted:
            file = self.state.files.get(str(entry.get("id")))
            if file is None or file.uploaded is None or file.completed:
                raise SlackError("file_not_found")
            files.append((file, entry.get("title")))
        channel = args.get("channel_id") or args.get("channels")
        if channel and "," in str(channel):
            raise SlackError("invalid_arguments", detail="the sandbox shares into one channel")
        target = self._resolve_channel(str(channel)) if channel else None
        if target is not None and args.get("blocks") and not args.get("initial_comment"):
            self._require_message({"blocks": args["blocks"], "text": "files"})
        for file, title in files:
            file.completed = True
            file.processing = self.hold_processing
            file.title = str(title) if title else file.filename
            if target is not None:
                file.channels.append(target)
        if target is not None:
            self.state.messages.setdefault(target, []).append(
                Message(
                    target,
                    self.state.new_ts(self.clock()),
                    str(args.get("initial_comment") or ""),
                    None if args.get("initial_comment") else args.get("blocks"),
                    user=self.state.bot_user_id,
                    files=[file.id for file, _ in files],
                )
            )
        return {"files": [self._file_object(file) for file, _ in files]}

    def _file_object(self, file: SandboxFile) -> dict[str, Any]:
        image = file.filetype in IMAGE_TYPES
        return {
            "id": file.id,
            "created": int(file.issued_at.timestamp()),
            "name": file.filename,
            "title": file.title,
            "filetype": file.filetype,
            "mimetype": f"image/{file.filetype}" if image else "application/octet-stream",
            "size": file.length,
            "user": self.state.bot_user_id,
            "is_public": False,
            "url_private": url_private(self.state, self.base_url, file),
            "permalink": permalink(self.state, self.base_url, file),
            "channels": list(file.channels),
        }


def _file_list(value: Any) -> list[dict[str, Any]]:
    """completeUploadExternal's `files`: a JSON array of {"id", "title"?}, as a string in a
    form post or as an array in a JSON body."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError as exc:
            raise SlackError("invalid_arguments", detail="files must be a JSON array") from exc
    if (
        not isinstance(value, list)
        or not value
        or len(value) > COMPLETE_FILES_LIMIT
        or not all(isinstance(entry, dict) and entry.get("id") for entry in value)
    ):
        raise SlackError("invalid_arguments", detail="files must be an array of {id, title}")
    return value


async def _uploaded_bytes(request: web.Request) -> bytes | None:
    """The file in an upload: the raw body, or the first part of a multipart form."""
    if request.content_type.startswith("multipart/"):
        reader = await request.multipart()
        async for part in reader:
            if isinstance(part, aiohttp.BodyPartReader):
                return bytes(await part.read(decode=False))
        return None
    data = await request.read()
    return data or None
