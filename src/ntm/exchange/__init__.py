"""Files in and out, without Django (design.md): the input template and its reader
(`workbook`, streaming `sheets`), and the results workbook and JSON writers (`results`)."""
