"""Run by LibreOffice's own Python (the one with `uno`), never imported by ccp.

It connects to the LibreOffice that `workflow.documents.office` started on a private pipe
and converts documents on request: one JSON line in on stdin, one JSON line out on stdout.
It imports nothing from ccp, because it runs outside ccp's environment (on Windows, the
Python inside the LibreOffice installation, which may be older than ccp's).

Request:  {"files": [[source, output], ...], "filter": "writer_pdf_Export",
           "options": {"UseTaggedPDF": true, ...}}
Reply:    {"ok": true} or {"ok": false, "error": "..."}
"""

import json
import sys
import time

import uno
from com.sun.star.beans import PropertyValue
from com.sun.star.connection import NoConnectException

CONNECT_SECONDS = 120.0


def _property(name, value):
    item = PropertyValue()
    item.Name = name
    item.Value = value
    return item


def _properties(items):
    return uno.Any("[]com.sun.star.beans.PropertyValue", tuple(items))


def _connect(pipe):
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext(
        "com.sun.star.bridge.UnoUrlResolver", local
    )
    deadline = time.monotonic() + CONNECT_SECONDS
    while True:
        try:
            context = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
            break
        except NoConnectException:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)
    return context.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", context)


def _convert(desktop, source, output, filter_name, options):
    document = desktop.loadComponentFromURL(
        uno.systemPathToFileUrl(source),
        "_blank",
        0,
        (_property("Hidden", True), _property("ReadOnly", True)),
    )
    if document is None:
        raise RuntimeError(f"LibreOffice could not open {source}")
    try:
        filter_data = _properties(_property(key, value) for key, value in options.items())
        arguments = _properties(
            [_property("FilterName", filter_name), _property("FilterData", filter_data)]
        )
        uno.invoke(document, "storeToURL", (uno.systemPathToFileUrl(output), arguments))
    finally:
        document.close(True)


def _reply(message):
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def main():
    desktop = _connect(sys.argv[1])
    _reply({"ready": True})
    for line in sys.stdin:
        try:
            request = json.loads(line)
            for source, output in request["files"]:
                _convert(desktop, source, output, request["filter"], request["options"])
        except Exception as err:  # the error goes back to ccp, which reports it in one line
            _reply({"ok": False, "error": f"{type(err).__name__}: {err}"})
        else:
            _reply({"ok": True})


if __name__ == "__main__":
    main()
