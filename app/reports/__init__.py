"""Reports others open in a spreadsheet or print: the XLSX writer, the registers' PDF."""
