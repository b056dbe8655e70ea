"""Every write of the surveys app: authoring (``authoring``), answers (``answering``),
XLSForm in and out (``xlsform``), QR posters (``poster``)."""
