"""Reports others open in a spreadsheet or print: the XLSX writer, the registers' PDF, and the rekaps — what
reaches a receiving office from many others (musrenbang proposals at the kecamatan, school reports at Dinas
Pendidikan), computed from the laptop's store so they work offline — with their exports."""
