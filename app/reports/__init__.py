"""Rekaps: what reaches a receiving office from many others (musrenbang proposals at the kecamatan, school
reports at Dinas Pendidikan), computed from the laptop's store so they work offline, and their exports."""
