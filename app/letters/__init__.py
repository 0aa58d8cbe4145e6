"""Letters: render an official letter (naskah dinas) to PDF without Qt, with its verification QR code."""
