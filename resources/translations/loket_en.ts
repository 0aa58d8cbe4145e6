<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_GB" sourcelanguage="id_ID">
    <context>
        <name>BarChart</name>
        <message>
            <source>Belum ada data</source>
            <translation>No data yet</translation>
        </message>
    </context>
    <context>
        <name>CaseDetail</name>
        <message>
            <source>&amp;Ubah…</source>
            <translation>&amp;Edit…</translation>
        </message>
        <message>
            <source>A&amp;jukan</source>
            <translation>&amp;Submit</translation>
        </message>
        <message>
            <source>&amp;Verifikasi (paraf)</source>
            <translation>&amp;Verify (initial)</translation>
        </message>
        <message>
            <source>&amp;Kembalikan…</source>
            <translation>Re&amp;turn…</translation>
        </message>
        <message>
            <source>&amp;Tolak…</source>
            <translation>Re&amp;ject…</translation>
        </message>
        <message>
            <source>&amp;Setujui &amp;&amp; tandatangani…</source>
            <translation>&amp;Approve &amp;&amp; sign…</translation>
        </message>
        <message>
            <source>Serahkan (&amp;terbitkan)</source>
            <translation>Hand over (&amp;issue)</translation>
        </message>
        <message>
            <source>&amp;Batalkan berkas…</source>
            <translation>&amp;Withdraw case…</translation>
        </message>
        <message>
            <source>Batalkan berkas</source>
            <translation>Withdraw case</translation>
        </message>
        <message>
            <source>Batalkan berkas ini atas permintaan pemohon?</source>
            <translation>Withdraw this case at the applicant's request?</translation>
        </message>
        <message>
            <source>Ya, batalkan</source>
            <translation>Yes, withdraw</translation>
        </message>
        <message>
            <source>Tidak</source>
            <translation>No</translation>
        </message>
        <message>
            <source>Diambil oleh {name} ({relation}), {id}</source>
            <translation>Collected by {name} ({relation}), {id}</translation>
        </message>
        <message numerus="yes">
            <source>%n berkas diajukan ke verifikator.</source>
            <translation>
                <numerusform>%n case submitted to the verifier.</numerusform>
                <numerusform>%n cases submitted to the verifier.</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>%n berkas diverifikasi (diparaf) dan diteruskan ke penandatangan.</source>
            <translation>
                <numerusform>%n case verified (initialled) and passed to the signer.</numerusform>
                <numerusform>%n cases verified (initialled) and passed to the signer.</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>%n berkas dikembalikan ke petugas loket.</source>
            <translation>
                <numerusform>%n case returned to the counter staff.</numerusform>
                <numerusform>%n cases returned to the counter staff.</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>%n berkas ditolak.</source>
            <translation>
                <numerusform>%n case rejected.</numerusform>
                <numerusform>%n cases rejected.</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>%n surat diserahkan.</source>
            <translation>
                <numerusform>%n letter handed over.</numerusform>
                <numerusform>%n letters handed over.</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>%n berkas dibatalkan.</source>
            <translation>
                <numerusform>%n case withdrawn.</numerusform>
                <numerusform>%n cases withdrawn.</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>%n berkas diperbarui.</source>
            <translation>
                <numerusform>%n case updated.</numerusform>
                <numerusform>%n cases updated.</numerusform>
            </translation>
        </message>
    </context>
    <context>
        <name>CaseDetailDialog</name>
        <message>
            <source>Berkas</source>
            <translation>Case</translation>
        </message>
        <message>
            <source>Rincian berkas</source>
            <translation>Case details</translation>
        </message>
        <message>
            <source>Tutup</source>
            <translation>Close</translation>
        </message>
    </context>
    <context>
        <name>CaseDetailView</name>
        <message>
            <source>Riwayat dan dokumen masih diunduh dari server…</source>
            <translation>History and documents are still being downloaded from the server…</translation>
        </message>
        <message>
            <source>Waktu perangkat (WIB)</source>
            <translation>Device time (WIB)</translation>
        </message>
        <message>
            <source>Diterima server (WIB)</source>
            <translation>Received by server (WIB)</translation>
        </message>
        <message>
            <source>Saat orangnya bertindak, menurut jam perangkat</source>
            <translation>When the person acted, by the device clock</translation>
        </message>
        <message>
            <source>Saat server menerima langkah ini</source>
            <translation>When the server received this step</translation>
        </message>
        <message>
            <source>perangkat ini</source>
            <translation>this device</translation>
        </message>
        <message>
            <source>perangkat lain</source>
            <translation>another device</translation>
        </message>
        <message>
            <source>belum terkirim</source>
            <translation>not sent yet</translation>
        </message>
        <message>
            <source>Ditolak server: {what}</source>
            <translation>Refused by the server: {what}</translation>
        </message>
        <message>
            <source>ditangani</source>
            <translation>handled</translation>
        </message>
        <message>
            <source>{reason}
Pesan server: {detail} (kode {errno})</source>
            <translation>{reason}
Server message: {detail} (code {errno})</translation>
        </message>
        <message>
            <source>Surat bertanda tangan — {n}</source>
            <translation>Signed letter — {n}</translation>
        </message>
        <message>
            <source>&amp;Simpan surat (PDF)…</source>
            <translation>&amp;Save letter (PDF)…</translation>
        </message>
        <message>
            <source>&amp;Cetak surat…</source>
            <translation>&amp;Print letter…</translation>
        </message>
        <message>
            <source>Data pemohon dan isian</source>
            <translation>Applicant and form data</translation>
        </message>
        <message>
            <source>Lampiran</source>
            <translation>Attachments</translation>
        </message>
        <message>
            <source>Pilih lampiran untuk melihat pratinjau</source>
            <translation>Select an attachment to preview it</translation>
        </message>
        <message>
            <source>Pratinjau lampiran</source>
            <translation>Attachment preview</translation>
        </message>
        <message>
            <source>Riwayat berkas</source>
            <translation>Case history</translation>
        </message>
        <message>
            <source>Waktu</source>
            <translation>Time</translation>
        </message>
        <message>
            <source>Oleh</source>
            <translation>By</translation>
        </message>
        <message>
            <source>Perangkat</source>
            <translation>Device</translation>
        </message>
        <message>
            <source>Langkah</source>
            <translation>Step</translation>
        </message>
        <message>
            <source>Status</source>
            <translation>Status</translation>
        </message>
        <message>
            <source>Alasan</source>
            <translation>Reason</translation>
        </message>
        <message>
            <source>Riwayat</source>
            <translation>History</translation>
        </message>
        <message>
            <source>Berkas {id}</source>
            <translation>Case {id}</translation>
        </message>
        <message>
            <source>Status: {s}</source>
            <translation>Status: {s}</translation>
        </message>
        <message>
            <source>Tenggat: {d}</source>
            <translation>Due: {d}</translation>
        </message>
        <message>
            <source>lewat tenggat</source>
            <translation>overdue</translation>
        </message>
        <message>
            <source>Nomor surat: {n}</source>
            <translation>Letter number: {n}</translation>
        </message>
        <message>
            <source>NIK</source>
            <translation>NIK</translation>
        </message>
        <message>
            <source>Nama</source>
            <translation>Name</translation>
        </message>
        <message>
            <source>Alasan terakhir</source>
            <translation>Latest reason</translation>
        </message>
        <message>
            <source>Belum ada lampiran</source>
            <translation>No attachments yet</translation>
        </message>
        <message>
            <source>(perangkat ini)</source>
            <translation>(this device)</translation>
        </message>
        <message>
            <source>Penandatanganan belum disiapkan di perangkat ini.</source>
            <translation>Signing is not set up on this device.</translation>
        </message>
        <message>
            <source>Tidak ada langkah yang bisa Anda lakukan pada berkas ini.</source>
            <translation>There is no step you can take on this case.</translation>
        </message>
        <message>
            <source>Memuat pratinjau…</source>
            <translation>Loading preview…</translation>
        </message>
        <message>
            <source>Berkas belum diunduh dari server</source>
            <translation>The file has not been downloaded from the server yet</translation>
        </message>
        <message>
            <source>Tanda te&amp;rima…</source>
            <translation>&amp;Receipt…</translation>
        </message>
        <message>
            <source>Pratinjau surat (belum ditandatangani)</source>
            <translation>Letter preview (not signed yet)</translation>
        </message>
        <message>
            <source>Surat belum bisa dibuat.</source>
            <translation>The letter cannot be made yet.</translation>
        </message>
    </context>
    <context>
        <name>CaseListPage</name>
        <message>
            <source>Cari NIK, nama, atau nomor berkas/surat…  (Ctrl+F)</source>
            <translation>Search NIK, name, or case/letter number…  (Ctrl+F)</translation>
        </message>
        <message>
            <source>Cari berkas</source>
            <translation>Search cases</translation>
        </message>
        <message>
            <source>Saring menurut status</source>
            <translation>Filter by status</translation>
        </message>
        <message>
            <source>Semua status</source>
            <translation>All statuses</translation>
        </message>
        <message>
            <source>Saring menurut layanan</source>
            <translation>Filter by service</translation>
        </message>
        <message>
            <source>Semua layanan</source>
            <translation>All services</translation>
        </message>
        <message>
            <source>Hanya lewat tenggat</source>
            <translation>Overdue only</translation>
        </message>
        <message>
            <source>Hanya berkas lewat tenggat</source>
            <translation>Overdue cases only</translation>
        </message>
        <message>
            <source>Berkas baru</source>
            <translation>New case</translation>
        </message>
        <message>
            <source>Daftarkan berkas baru</source>
            <translation>Register a new case</translation>
        </message>
        <message>
            <source>Jumlah berkas</source>
            <translation>Number of cases</translation>
        </message>
        <message>
            <source>Daftar berkas</source>
            <translation>Case list</translation>
        </message>
        <message numerus="yes">
            <source>%n berkas</source>
            <translation>
                <numerusform>%n case</numerusform>
                <numerusform>%n cases</numerusform>
            </translation>
        </message>
        <message>
            <source>Menghitung berkas…</source>
            <translation>Counting cases…</translation>
        </message>
    </context>
    <context>
        <name>CaseTableModel</name>
        <message>
            <source>Lewat tenggat</source>
            <translation>Overdue</translation>
        </message>
        <message>
            <source>Berkas</source>
            <translation>Case</translation>
        </message>
        <message>
            <source>Layanan</source>
            <translation>Service</translation>
        </message>
        <message>
            <source>NIK</source>
            <translation>NIK</translation>
        </message>
        <message>
            <source>Nama</source>
            <translation>Name</translation>
        </message>
        <message>
            <source>Status</source>
            <translation>Status</translation>
        </message>
        <message>
            <source>Tenggat</source>
            <translation>Due</translation>
        </message>
        <message>
            <source>Diperbarui (WIB)</source>
            <translation>Updated (WIB)</translation>
        </message>
        <message>
            <source>Nomor surat</source>
            <translation>Letter number</translation>
        </message>
    </context>
    <context>
        <name>ConflictsView</name>
        <message>
            <source>Tidak ada konflik isian. Namun {n} langkah ditolak server dan menunggu tindakan: buka “Ditolak server” di bilah status (Ctrl+Shift+R).</source>
            <translation>No conflicting entries. But {n} steps were refused by the server and wait for you: open “Refused by server” in the status bar (Ctrl+Shift+R).</translation>
        </message>
        <message>
            <source>Konflik sinkronisasi</source>
            <translation>Sync conflicts</translation>
        </message>
        <message>
            <source>&amp;Simpan pilihan</source>
            <translation>&amp;Save choices</translation>
        </message>
        <message>
            <source>Simpan pilihan konflik</source>
            <translation>Save conflict choices</translation>
        </message>
        <message>
            <source>Sinkronisasi belum disiapkan di perangkat ini, jadi belum ada konflik.</source>
            <translation>Sync is not set up on this device, so there are no conflicts.</translation>
        </message>
        <message>
            <source>Tidak ada konflik. Semua perubahan sudah cocok dengan server.</source>
            <translation>No conflicts. All changes agree with the server.</translation>
        </message>
        <message>
            <source>Isian berikut diubah di perangkat ini dan di server sejak sinkronisasi terakhir. Pilih nilai yang benar untuk setiap isian.</source>
            <translation>These fields were changed on this device and on the server since the last sync. Pick the right value for each field.</translation>
        </message>
        <message>
            <source>Berkas</source>
            <translation>Case</translation>
        </message>
        <message>
            <source>Isian</source>
            <translation>Field</translation>
        </message>
        <message>
            <source>Nilai di perangkat ini</source>
            <translation>Value on this device</translation>
        </message>
        <message>
            <source>Nilai di server</source>
            <translation>Value on the server</translation>
        </message>
        <message>
            <source>(kosong)</source>
            <translation>(empty)</translation>
        </message>
        <message>
            <source>{field}: pakai nilai perangkat ini, {v}</source>
            <translation>{field}: keep this device's value, {v}</translation>
        </message>
        <message>
            <source>{field}: pakai nilai server, {v}</source>
            <translation>{field}: use the server's value, {v}</translation>
        </message>
    </context>
    <context>
        <name>DashboardView</name>
        <message>
            <source>Dasbor</source>
            <translation>Dashboard</translation>
        </message>
        <message>
            <source>Segarkan</source>
            <translation>Refresh</translation>
        </message>
        <message>
            <source>Segarkan dasbor</source>
            <translation>Refresh dashboard</translation>
        </message>
        <message>
            <source>Berkas tersimpan di perangkat ini</source>
            <translation>Cases stored on this device</translation>
        </message>
        <message>
            <source>Menunggu tanda tangan</source>
            <translation>Awaiting signature</translation>
        </message>
        <message>
            <source>Berkas terbuka lewat tenggat</source>
            <translation>Open cases past their due date</translation>
        </message>
        <message>
            <source>Berkas per status</source>
            <translation>Cases per status</translation>
        </message>
        <message>
            <source>Berkas per layanan</source>
            <translation>Cases per service</translation>
        </message>
        <message>
            <source>Lewat tenggat per kantor</source>
            <translation>Overdue per office</translation>
        </message>
        <message>
            <source>Aktivitas per minggu (Senin–Minggu)</source>
            <translation>Activity per week (Monday–Sunday)</translation>
        </message>
    </context>
    <context>
        <name>Errors</name>
        <message>
            <source>Tidak dapat dilanjutkan</source>
            <translation>Cannot continue</translation>
        </message>
        <message>
            <source>Maaf, terjadi kesalahan tak terduga. Rinciannya tercatat di berkas log:
{log}</source>
            <translation>Sorry, something unexpected went wrong. The details are in the log file:
{log}</translation>
        </message>
        <message>
            <source>Terjadi kesalahan</source>
            <translation>Something went wrong</translation>
        </message>
        <message>
            <source>Tutup</source>
            <translation>Close</translation>
        </message>
    </context>
    <context>
        <name>HandoverDialog</name>
        <message>
            <source>Serahkan surat</source>
            <translation>Hand over the letter</translation>
        </message>
        <message>
            <source>Serahkan surat &lt;b&gt;{number}&lt;/b&gt; (berkas {reg}) atas nama &lt;b&gt;{name}&lt;/b&gt;? Catat siapa yang mengambil; catatan ini masuk riwayat berkas.</source>
            <translation>Hand over letter &lt;b&gt;{number}&lt;/b&gt; (case {reg}) for &lt;b&gt;{name}&lt;/b&gt;? Record who collects it; the record goes into the case history.</translation>
        </message>
        <message>
            <source>Pemohon sendiri</source>
            <translation>The applicant</translation>
        </message>
        <message>
            <source>Keluarga</source>
            <translation>Family</translation>
        </message>
        <message>
            <source>Kuasa (dengan surat kuasa)</source>
            <translation>Proxy (with a power of attorney)</translation>
        </message>
        <message>
            <source>mis. KTP-el 3573…</source>
            <translation>e.g. KTP-el 3573…</translation>
        </message>
        <message>
            <source>&amp;Nama penerima:</source>
            <translation>Collector's &amp;name:</translation>
        </message>
        <message>
            <source>&amp;Hubungan:</source>
            <translation>&amp;Relation:</translation>
        </message>
        <message>
            <source>&amp;Identitas ditunjukkan:</source>
            <translation>&amp;ID shown:</translation>
        </message>
        <message>
            <source>&amp;Serahkan</source>
            <translation>&amp;Hand over</translation>
        </message>
        <message>
            <source>&amp;Batal</source>
            <translation>&amp;Cancel</translation>
        </message>
    </context>
    <context>
        <name>IntakeDialog</name>
    <message>
        <source>nama@contoh.id</source>
        <translation>name@example.com</translation>
    </message>
        <message>
            <source>{label}: tanggal tidak sah; tulis hh/bb/tttt (misalnya 17/08/1990).</source>
            <translation>{label}: not a valid date; write dd/mm/yyyy (for example 17/08/1990).</translation>
        </message>
        <message>
            <source>Ubah berkas</source>
            <translation>Edit case</translation>
        </message>
        <message>
            <source>Berkas baru</source>
            <translation>New case</translation>
        </message>
        <message>
            <source>Layanan</source>
            <translation>Service</translation>
        </message>
        <message>
            <source>NIK pemohon</source>
            <translation>Applicant's NIK</translation>
        </message>
        <message>
            <source>16 digit</source>
            <translation>16 digits</translation>
        </message>
        <message>
            <source>— pilih —</source>
            <translation>— choose —</translation>
        </message>
        <message>
            <source>hh/bb/tttt</source>
            <translation>dd/mm/yyyy</translation>
        </message>
        <message>
            <source>Ya, pemohon setuju</source>
            <translation>Yes, the applicant agrees</translation>
        </message>
        <message>
            <source>Pilih berkas…</source>
            <translation>Choose file…</translation>
        </message>
        <message>
            <source>Pilih berkas untuk {doc}</source>
            <translation>Choose a file for {doc}</translation>
        </message>
        <message>
            <source>belum ada</source>
            <translation>none yet</translation>
        </message>
        <message>
            <source>tanpa pratinjau</source>
            <translation>no preview</translation>
        </message>
        <message>
            <source>Pratinjau {doc}</source>
            <translation>Preview of {doc}</translation>
        </message>
        <message>
            <source>Nama pemohon</source>
            <translation>Applicant's name</translation>
        </message>
        <message>
            <source>&amp;Layanan</source>
            <translation>&amp;Service</translation>
        </message>
        <message>
            <source>&amp;NIK *</source>
            <translation>&amp;NIK *</translation>
        </message>
        <message>
            <source>N&amp;ama *</source>
            <translation>N&amp;ame *</translation>
        </message>
        <message>
            <source>Dokumen persyaratan (PDF, JPG, PNG)</source>
            <translation>Required documents (PDF, JPG, PNG)</translation>
        </message>
        <message>
            <source>Simpan &amp;draf</source>
            <translation>Save &amp;draft</translation>
        </message>
        <message>
            <source>A&amp;jukan</source>
            <translation>&amp;Submit</translation>
        </message>
        <message>
            <source>Batal</source>
            <translation>Cancel</translation>
        </message>
        <message>
            <source>Nama</source>
            <translation>Name</translation>
        </message>
        <message>
            <source>Perhatian: NIK ini masih punya {n} berkas {service} yang belum selesai. Periksa dulu agar tidak terdaftar dua kali.</source>
            <translation>Note: this NIK still has {n} unfinished {service} case(s). Check first so it is not registered twice.</translation>
        </message>
        <message>
            <source>{n} isian perlu diperbaiki.</source>
            <translation>{n} field(s) need fixing.</translation>
        </message>
        <message>
            <source>Dokumen (*.pdf *.jpg *.jpeg *.png)</source>
            <translation>Documents (*.pdf *.jpg *.jpeg *.png)</translation>
        </message>
        <message>
            <source>{label}: tanggal {value} belum lewat; isi tanggal hari ini atau sebelumnya.</source>
            <translation>{label}: the date {value} has not come yet; give today or an earlier date.</translation>
        </message>
        <message>
            <source>{label}: tanggal {value} sudah lewat; isi tanggal hari ini atau sesudahnya.</source>
            <translation>{label}: the date {value} has passed; give today or a later date.</translation>
        </message>
        <message>
            <source>{label}: tanggal {value} di luar rentang yang diizinkan.</source>
            <translation>{label}: the date {value} is outside the allowed range.</translation>
        </message>
        <message>
            <source>Data dari NIK</source>
            <translation>Data from the NIK</translation>
        </message>
        <message>
            <source>Perbaiki, atau konfirmasi dengan alasan saat mengajukan.</source>
            <translation>Fix it, or confirm with a reason when submitting.</translation>
        </message>
        <message>
            <source>Dari NIK: {sex}, lahir {date}.</source>
            <translation>From the NIK: {sex}, born {date}.</translation>
        </message>
        <message>
            <source>Buang isian?</source>
            <translation>Discard the entries?</translation>
        </message>
        <message>
            <source>Formulir ini sudah diisi. Tutup dan buang isiannya?</source>
            <translation>This form has entries. Close it and discard them?</translation>
        </message>
        <message>
            <source>Ya, buang isian</source>
            <translation>Yes, discard</translation>
        </message>
        <message>
            <source>Kembali ke formulir</source>
            <translation>Back to the form</translation>
        </message>
    </context>
    <context>
        <name>LoginDialog</name>
        <message>
            <source>Alamat server ditetapkan oleh TI.</source>
            <translation>IT set the server address.</translation>
        </message>
        <message>
            <source>Loket — masuk</source>
            <translation>Loket — sign in</translation>
        </message>
        <message>
            <source>Pengguna di perangkat ini</source>
            <translation>Users on this device</translation>
        </message>
        <message>
            <source>&amp;Masuk</source>
            <translation>&amp;Sign in</translation>
        </message>
        <message>
            <source>Belum ada pengguna di perangkat ini. Daftarkan perangkat dengan kode dari admin TI.</source>
            <translation>There is no user on this device yet. Enrol the device with a code from IT.</translation>
        </message>
        <message>
            <source>Pilih nama Anda:</source>
            <translation>Choose your name:</translation>
        </message>
        <message>
            <source>Alamat server</source>
            <translation>Server address</translation>
        </message>
        <message>
            <source>Kode pendaftaran</source>
            <translation>Enrolment code</translation>
        </message>
        <message>
            <source>&amp;Daftarkan perangkat</source>
            <translation>&amp;Enrol device</translation>
        </message>
        <message>
            <source>Alamat &amp;server:</source>
            <translation>&amp;Server address:</translation>
        </message>
        <message>
            <source>&amp;Kode pendaftaran:</source>
            <translation>Enrolment &amp;code:</translation>
        </message>
        <message>
            <source>Pendaftaran dengan kode belum disiapkan di perangkat ini. Hubungi admin TI (Diskominfo).</source>
            <translation>Enrolment with a code is not set up on this device. Contact IT (Diskominfo).</translation>
        </message>
        <message>
            <source>Pilih pengguna</source>
            <translation>Choose user</translation>
        </message>
        <message>
            <source>Daftar dengan kode</source>
            <translation>Enrol with a code</translation>
        </message>
        <message>
            <source>Keluar</source>
            <translation>Quit</translation>
        </message>
        <message>
            <source>Isi alamat server dan kode pendaftaran.</source>
            <translation>Fill in the server address and the enrolment code.</translation>
        </message>
        <message>
            <source>Menghubungi server…</source>
            <translation>Contacting the server…</translation>
        </message>
        <message>
            <source>Perangkat terdaftar.</source>
            <translation>Device enrolled.</translation>
        </message>
            <message>
            <source>Kata sandi baru (penandatangan: PIN tanda tangan)</source>
            <translation>New password (signers: the signing PIN)</translation>
        </message>
        <message>
            <source>minimal 8 karakter; penandatangan: PIN minimal 6</source>
            <translation>at least 8 characters; signers: a PIN of at least 6</translation>
        </message>
        <message>
            <source>Ulangi kata sandi atau PIN</source>
            <translation>Repeat the password or PIN</translation>
        </message>
        <message>
            <source>Kata sandi / &amp;PIN:</source>
            <translation>Password / &amp;PIN:</translation>
        </message>
        <message>
            <source>&amp;Ulangi:</source>
            <translation>&amp;Repeat:</translation>
        </message>
        <message>
            <source>Kata sandi atau PIN</source>
            <translation>Password or PIN</translation>
        </message>
        <message>
            <source>kata sandi Anda (penandatangan: PIN tanda tangan)</source>
            <translation>your password (signers: the signing PIN)</translation>
        </message>
        <message>
            <source>Pesan masuk</source>
            <translation>Sign-in message</translation>
        </message>
        <message>
            <source>&amp;Kata sandi atau PIN:</source>
            <translation>&amp;Password or PIN:</translation>
        </message>
        <message>
            <source>Perangkat ini dipakai bersama. Pilih nama Anda, lalu masuk dengan kata sandi Anda sendiri (penandatangan: PIN tanda tangan).</source>
            <translation>This device is shared. Choose your name, then sign in with your own password (signers: the signing PIN).</translation>
        </message>
        <message>
            <source>Ketik kata sandi atau PIN Anda untuk masuk.</source>
            <translation>Type your password or PIN to sign in.</translation>
        </message>
        <message>
            <source>Memeriksa…</source>
            <translation>Checking…</translation>
        </message>
        <message>
            <source>Pilih kata sandi Anda sendiri (penandatangan: PIN tanda tangan).</source>
            <translation>Choose your own password (signers: the signing PIN).</translation>
        </message>
        <message>
            <source>Kata sandi dan ulangannya tidak sama. Ketik keduanya lagi.</source>
            <translation>The password and its repetition differ. Type both again.</translation>
        </message>
    </context>
    <context>
        <name>MainWindow</name>
    <message>
        <source>Rekap</source>
        <translation>Summaries</translation>
    </message>
        <message>
            <source>Langkah yang ditolak server: klik untuk melihat alasannya dan apa yang perlu dilakukan (Ctrl+Shift+R).</source>
            <translation>Steps the server refused: click to see why and what to do (Ctrl+Shift+R).</translation>
        </message>
        <message>
            <source>Buka daftar Ditolak server</source>
            <translation>Open the list of refused steps</translation>
        </message>
        <message>
            <source>&amp;Ditolak server…</source>
            <translation>Refused by &amp;server…</translation>
        </message>
        <message>
            <source>Ba&amp;ntuan</source>
            <translation>&amp;Help</translation>
        </message>
        <message>
            <source>Pemeriksaan perangkat dan paket &amp;dukungan…</source>
            <translation>Device check and support &amp;bundle…</translation>
        </message>
        <message>
            <source>Petugas loket</source>
            <translation>Counter staff</translation>
        </message>
        <message>
            <source>Verifikator</source>
            <translation>Verifier</translation>
        </message>
        <message>
            <source>Penandatangan</source>
            <translation>Signer</translation>
        </message>
        <message>
            <source>Admin TI</source>
            <translation>IT admin</translation>
        </message>
        <message>
            <source>Loket — {office}</source>
            <translation>Loket — {office}</translation>
        </message>
        <message>
            <source>Jendela utama Loket</source>
            <translation>Loket main window</translation>
        </message>
        <message>
            <source>Navigasi</source>
            <translation>Navigation</translation>
        </message>
        <message>
            <source>Berkas</source>
            <translation>Cases</translation>
        </message>
        <message>
            <source>Antrean verifikasi</source>
            <translation>Verification queue</translation>
        </message>
        <message>
            <source>Antrean tanda tangan</source>
            <translation>Signing queue</translation>
        </message>
        <message>
            <source>Dasbor</source>
            <translation>Dashboard</translation>
        </message>
        <message>
            <source>Konflik sinkronisasi</source>
            <translation>Sync conflicts</translation>
        </message>
        <message>
            <source>{name} · {role} · {office}</source>
            <translation>{name} · {role} · {office}</translation>
        </message>
        <message>
            <source>Pengguna yang masuk</source>
            <translation>Signed-in user</translation>
        </message>
        <message>
            <source>Status sinkronisasi</source>
            <translation>Sync status</translation>
        </message>
        <message>
            <source>Antrean kirim</source>
            <translation>Outbox</translation>
        </message>
        <message>
            <source>&amp;Berkas</source>
            <translation>&amp;Cases</translation>
        </message>
        <message>
            <source>&amp;Tampilan</source>
            <translation>&amp;View</translation>
        </message>
        <message>
            <source>&amp;Pengguna</source>
            <translation>&amp;User</translation>
        </message>
        <message>
            <source>Berkas &amp;baru…</source>
            <translation>&amp;New case…</translation>
        </message>
        <message>
            <source>B&amp;uka berkas terpilih</source>
            <translation>&amp;Open selected case</translation>
        </message>
        <message>
            <source>&amp;Cari…</source>
            <translation>&amp;Find…</translation>
        </message>
        <message>
            <source>&amp;Segarkan / sinkronkan</source>
            <translation>&amp;Refresh / sync</translation>
        </message>
        <message>
            <source>&amp;Keluar</source>
            <translation>&amp;Quit</translation>
        </message>
        <message>
            <source>&amp;Ganti pengguna…</source>
            <translation>S&amp;witch user…</translation>
        </message>
        <message>
            <source>&amp;Bahasa</source>
            <translation>&amp;Language</translation>
        </message>
        <message>
            <source>Menunggu kirim: {n}</source>
            <translation>Waiting to send: {n}</translation>
        </message>
        <message>
            <source>Ditolak server: {n}</source>
            <translation>Refused by server: {n}</translation>
        </message>
        <message>
            <source>Sinkronisasi berjalan…</source>
            <translation>Syncing…</translation>
        </message>
        <message>
            <source>riwayat berkas masih diunduh</source>
            <translation>case history still downloading</translation>
        </message>
        <message>
            <source>Sinkronisasi belum disiapkan</source>
            <translation>Sync not set up</translation>
        </message>
        <message>
            <source>Daring</source>
            <translation>Online</translation>
        </message>
        <message>
            <source>Luring — data tersimpan di perangkat ini</source>
            <translation>Offline — data is kept on this device</translation>
        </message>
        <message>
            <source>Register</source>
            <translation>Registers</translation>
        </message>
        <message>
            <source>&amp;Panduan</source>
            <translation>&amp;Guide</translation>
        </message>
        <message>
            <source>Pintasan &amp;keyboard</source>
            <translation>&amp;Keyboard shortcuts</translation>
        </message>
        <message>
            <source>&amp;Tentang Loket</source>
            <translation>&amp;About Loket</translation>
        </message>
    </context>
    <context>
        <name>PinDialog</name>
        <message>
            <source>PIN tanda tangan</source>
            <translation>Signing PIN</translation>
        </message>
        <message numerus="yes">
            <source>Anda akan menyetujui dan menandatangani %n berkas. Masukkan PIN sekali untuk semuanya.</source>
            <translation>
                <numerusform>You are about to approve and sign %n case. Enter your PIN once.</numerusform>
                <numerusform>You are about to approve and sign %n cases. Enter your PIN once for all of them.</numerusform>
            </translation>
        </message>
        <message>
            <source>PIN</source>
            <translation>PIN</translation>
        </message>
        <message>
            <source>&amp;PIN:</source>
            <translation>&amp;PIN:</translation>
        </message>
        <message>
            <source>Tandatangani</source>
            <translation>Sign</translation>
        </message>
        <message>
            <source>Batal</source>
            <translation>Cancel</translation>
        </message>
    </context>
    <context>
        <name>QueueView</name>
        <message>
            <source>Antrean verifikasi</source>
            <translation>Verification queue</translation>
        </message>
        <message>
            <source>Antrean tanda tangan</source>
            <translation>Signing queue</translation>
        </message>
        <message>
            <source>Pratinjau surat belum tersedia di perangkat ini.</source>
            <translation>Letter preview is not available on this device.</translation>
        </message>
        <message>
            <source>Pilih berkas untuk pratinjau surat.</source>
            <translation>Select a case to preview its letter.</translation>
        </message>
        <message>
            <source>Pratinjau surat</source>
            <translation>Letter preview</translation>
        </message>
        <message>
            <source>Hasil penandatanganan</source>
            <translation>Signing results</translation>
        </message>
        <message>
            <source>Hasil terakhir</source>
            <translation>Latest results</translation>
        </message>
        <message>
            <source>&amp;Verifikasi (paraf) terpilih</source>
            <translation>&amp;Verify (initial) selected</translation>
        </message>
        <message>
            <source>&amp;Setujui &amp;&amp; tandatangani</source>
            <translation>&amp;Approve &amp;&amp; sign</translation>
        </message>
        <message>
            <source>Penandatanganan belum disiapkan di perangkat ini.</source>
            <translation>Signing is not set up on this device.</translation>
        </message>
        <message>
            <source>&amp;Kembalikan…</source>
            <translation>Re&amp;turn…</translation>
        </message>
        <message>
            <source>&amp;Tolak…</source>
            <translation>Re&amp;ject…</translation>
        </message>
        <message>
            <source>&amp;Buka</source>
            <translation>&amp;Open</translation>
        </message>
        <message numerus="yes">
            <source>%n dipilih</source>
            <translation>
                <numerusform>%n selected</numerusform>
                <numerusform>%n selected</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>%n dalam antrean</source>
            <translation>
                <numerusform>%n in the queue</numerusform>
                <numerusform>%n in the queue</numerusform>
            </translation>
        </message>
        <message>
            <source>{ok} disetujui, {bad} ditolak atau kedaluwarsa.</source>
            <translation>{ok} approved, {bad} refused or stale.</translation>
        </message>
        <message>
            <source>tanpa alasan</source>
            <translation>no reason given</translation>
        </message>
        <message>
            <source>disetujui</source>
            <translation>approved</translation>
        </message>
        <message>
            <source>direkomendasikan</source>
            <translation>recommended</translation>
        </message>
        <message>
            <source>{n} direkomendasikan ke penandatangan berikutnya.</source>
            <translation>{n} recommended to the next signer.</translation>
        </message>
        <message>
            <source>Menyiapkan pratinjau surat…</source>
            <translation>Preparing the letter preview…</translation>
        </message>
        <message>
            <source>Surat untuk berkas ini belum bisa dibuat.</source>
            <translation>The letter for this case cannot be made yet.</translation>
        </message>
        <message>
            <source>Antrean kosong: tidak ada surat untuk dipratinjau.</source>
            <translation>The queue is empty: no letter to preview.</translation>
        </message>
    </context>
    <context>
        <name>Queues</name>
        <message>
            <source>Menandatangani berkas…</source>
            <translation>Signing cases…</translation>
        </message>
        <message>
            <source>Setujui &amp; tandatangani</source>
            <translation>Approve &amp; sign</translation>
        </message>
        <message>
            <source>Menandatangani berkas {done} dari {total}…</source>
            <translation>Signing case {done} of {total}…</translation>
        </message>
    </context>
    <context>
        <name>ReasonDialog</name>
        <message>
            <source>Alasan</source>
            <translation>Reason</translation>
        </message>
        <message>
            <source>Tulis alasan yang akan dibaca petugas dan pemohon…</source>
            <translation>Write the reason the counter staff and the applicant will read…</translation>
        </message>
        <message>
            <source>&amp;Alasan (wajib):</source>
            <translation>&amp;Reason (required):</translation>
        </message>
        <message>
            <source>Lanjutkan</source>
            <translation>Continue</translation>
        </message>
        <message>
            <source>Batal</source>
            <translation>Cancel</translation>
        </message>
    </context>
    <context>
        <name>Printing</name>
        <message>
            <source>Cetak surat</source>
            <translation>Print letter</translation>
        </message>
        <message>
            <source>Simpan surat (PDF)</source>
            <translation>Save letter (PDF)</translation>
        </message>
        <message>
            <source>Surat {title} dikirim ke {printer}.</source>
            <translation>Letter {title} sent to {printer}.</translation>
        </message>
        <message>
            <source>Surat disimpan: {path}</source>
            <translation>Letter saved: {path}</translation>
        </message>
    </context>
    <context>
        <name>RegisterView</name>
        <message>
            <source>Register</source>
            <translation>Registers</translation>
        </message>
        <message>
            <source>Buku agenda surat keluar</source>
            <translation>Outgoing letters</translation>
        </message>
        <message>
            <source>Permohonan masuk</source>
            <translation>Incoming requests</translation>
        </message>
        <message>
            <source>Hari ini</source>
            <translation>Today</translation>
        </message>
        <message>
            <source>Bulan ini</source>
            <translation>This month</translation>
        </message>
        <message>
            <source>Rentang tanggal</source>
            <translation>Date range</translation>
        </message>
        <message>
            <source>Dari tanggal</source>
            <translation>From date</translation>
        </message>
        <message>
            <source>Sampai tanggal</source>
            <translation>To date</translation>
        </message>
        <message>
            <source>Semua kantor</source>
            <translation>All offices</translation>
        </message>
        <message>
            <source>Semua layanan</source>
            <translation>All services</translation>
        </message>
        <message>
            <source>Perbar&amp;ui</source>
            <translation>Refres&amp;h</translation>
        </message>
        <message>
            <source>Ekspor &amp;XLSX…</source>
            <translation>Export &amp;XLSX…</translation>
        </message>
        <message>
            <source>Ekspor P&amp;DF…</source>
            <translation>Export P&amp;DF…</translation>
        </message>
        <message>
            <source>&amp;Jenis:</source>
            <translation>&amp;Kind:</translation>
        </message>
        <message>
            <source>&amp;Periode:</source>
            <translation>&amp;Period:</translation>
        </message>
        <message>
            <source>Dari:</source>
            <translation>From:</translation>
        </message>
        <message>
            <source>&amp;Kantor:</source>
            <translation>&amp;Office:</translation>
        </message>
        <message>
            <source>&amp;Layanan:</source>
            <translation>&amp;Service:</translation>
        </message>
        <message>
            <source>s.d.:</source>
            <translation>to:</translation>
        </message>
        <message>
            <source>Isi register</source>
            <translation>Register contents</translation>
        </message>
        <message>
            <source>{title} · {period} · {n} baris</source>
            <translation>{title} · {period} · {n} rows</translation>
        </message>
        <message>
            <source>Ekspor register</source>
            <translation>Export register</translation>
        </message>
        <message>
            <source>Disimpan: {path}</source>
            <translation>Saved: {path}</translation>
        </message>
    </context>
    <context>
        <name>SupportDialog</name>
        <message>
            <source>Pemeriksaan perangkat</source>
            <translation>Device check</translation>
        </message>
        <message>
            <source>Memeriksa…</source>
            <translation>Checking…</translation>
        </message>
        <message>
            <source>Hasil pemeriksaan</source>
            <translation>Check results</translation>
        </message>
        <message>
            <source>Hasil</source>
            <translation>Result</translation>
        </message>
        <message>
            <source>Pemeriksaan</source>
            <translation>Check</translation>
        </message>
        <message>
            <source>Keterangan</source>
            <translation>Detail</translation>
        </message>
        <message>
            <source>Buat paket &amp;dukungan…</source>
            <translation>Make a &amp;support bundle…</translation>
        </message>
        <message>
            <source>Buat paket dukungan untuk TI</source>
            <translation>Make a support bundle for IT</translation>
        </message>
        <message>
            <source>&amp;Periksa lagi</source>
            <translation>Check &amp;again</translation>
        </message>
        <message>
            <source>Tutup</source>
            <translation>Close</translation>
        </message>
        <message>
            <source>GAGAL</source>
            <translation>FAIL</translation>
        </message>
        <message>
            <source>AWAS</source>
            <translation>WARN</translation>
        </message>
        <message>
            <source>Semua pemeriksaan baik.</source>
            <translation>All checks passed.</translation>
        </message>
        <message>
            <source>{n} pemeriksaan gagal — lihat keterangannya.</source>
            <translation>{n} checks failed — see the details.</translation>
        </message>
        <message>
            <source>Simpan paket dukungan</source>
            <translation>Save support bundle</translation>
        </message>
        <message>
            <source>Paket dukungan disimpan: {p}</source>
            <translation>Support bundle saved: {p}</translation>
        </message>
    </context>
    <context>
        <name>ReceiptDialog</name>
        <message>
            <source>Tanda terima {reg}</source>
            <translation>Receipt {reg}</translation>
        </message>
        <message>
            <source>Permohonan diterima. Nomor registrasi: &lt;b&gt;{reg}&lt;/b&gt; — serahkan tanda terima ini kepada pemohon.</source>
            <translation>Request received. Registration number: &lt;b&gt;{reg}&lt;/b&gt; — give this receipt to the applicant.</translation>
        </message>
        <message>
            <source>Pratinjau tanda terima</source>
            <translation>Receipt preview</translation>
        </message>
        <message>
            <source>&amp;Cetak…</source>
            <translation>&amp;Print…</translation>
        </message>
        <message>
            <source>&amp;Simpan PDF…</source>
            <translation>&amp;Save PDF…</translation>
        </message>
        <message>
            <source>&amp;Tutup</source>
            <translation>&amp;Close</translation>
        </message>
    </context>
    <context>
        <name>RefusalsDialog</name>
        <message>
            <source>Ditolak server</source>
            <translation>Refused by server</translation>
        </message>
        <message>
            <source>Daftar langkah yang ditolak server</source>
            <translation>List of steps the server refused</translation>
        </message>
        <message>
            <source>Langkah berikut sudah tersimpan di perangkat ini tetapi ditolak server. Pilih satu untuk melihat alasannya dan tindakan yang perlu dilakukan.</source>
            <translation>These steps are saved on this device but the server refused them. Pick one to see why and what to do.</translation>
        </message>
        <message>
            <source>Langkah yang ditolak server</source>
            <translation>Steps the server refused</translation>
        </message>
        <message>
            <source>Berkas</source>
            <translation>Case</translation>
        </message>
        <message>
            <source>Yang ditolak</source>
            <translation>What was refused</translation>
        </message>
        <message>
            <source>Alasan server</source>
            <translation>Server&apos;s reason</translation>
        </message>
        <message>
            <source>Ditolak pada</source>
            <translation>Refused at</translation>
        </message>
        <message>
            <source>Yang perlu dilakukan</source>
            <translation>What to do</translation>
        </message>
        <message>
            <source>Rincian penolakan</source>
            <translation>Refusal details</translation>
        </message>
        <message>
            <source>&amp;Tandatangani lagi…</source>
            <translation>&amp;Sign again…</translation>
        </message>
        <message>
            <source>&amp;Buka berkas</source>
            <translation>&amp;Open case</translation>
        </message>
        <message>
            <source>&amp;Kirim ulang</source>
            <translation>Send a&amp;gain</translation>
        </message>
        <message>
            <source>&amp;Abaikan…</source>
            <translation>&amp;Discard…</translation>
        </message>
        <message>
            <source>Tandai sudah ditangani. Penolakan tetap tercatat di riwayat berkas.</source>
            <translation>Mark as handled. The refusal stays in the case history.</translation>
        </message>
        <message>
            <source>Tutup</source>
            <translation>Close</translation>
        </message>
        <message>
            <source>Tidak ada langkah yang ditolak server.</source>
            <translation>No steps were refused by the server.</translation>
        </message>
        <message>
            <source>&lt;b&gt;{what}&lt;/b&gt; — {case}&lt;br&gt;{reason}&lt;br&gt;&lt;span style=&apos;color:#5a6270&apos;&gt;Pesan server (untuk TI): {detail} (kode {errno})&lt;/span&gt;</source>
            <translation>&lt;b&gt;{what}&lt;/b&gt; — {case}&lt;br&gt;{reason}&lt;br&gt;&lt;span style=&apos;color:#5a6270&apos;&gt;Server message (for IT): {detail} (code {errno})&lt;/span&gt;</translation>
        </message>
        <message>
            <source>Abaikan penolakan</source>
            <translation>Discard refusal</translation>
        </message>
        <message>
            <source>Tandai penolakan ini sudah ditangani? Langkah ini tidak akan dikirim lagi; penolakannya tetap tercatat di riwayat berkas.</source>
            <translation>Mark this refusal as handled? The step will not be sent again; the refusal stays in the case history.</translation>
        </message>
        <message>
            <source>Ya, abaikan</source>
            <translation>Yes, discard</translation>
        </message>
        <message>
            <source>Tidak</source>
            <translation>No</translation>
        </message>
    </context>
<context>
    <name>PagedPreview</name>
        <message>
            <source>Halaman sebelumnya (Page Up)</source>
            <translation>Previous page (Page Up)</translation>
        </message>
        <message>
            <source>Halaman berikutnya (Page Down)</source>
            <translation>Next page (Page Down)</translation>
        </message>
        <message>
            <source>Halaman</source>
            <translation>Page</translation>
        </message>
        <message>
            <source>Perkecil (Ctrl+-)</source>
            <translation>Zoom out (Ctrl+-)</translation>
        </message>
        <message>
            <source>Perbesar (Ctrl++)</source>
            <translation>Zoom in (Ctrl++)</translation>
        </message>
        <message>
            <source>Lebar</source>
            <translation>Width</translation>
        </message>
        <message>
            <source>Sesuaikan dengan lebar (Ctrl+0)</source>
            <translation>Fit the width (Ctrl+0)</translation>
        </message>
        <message>
            <source>Perbesaran</source>
            <translation>Zoom</translation>
        </message>
        <message>
            <source>Halaman {n} dari {total}</source>
            <translation>Page {n} of {total}</translation>
        </message>
    </context>
<context>
    <name>GuideDialog</name>
        <message>
            <source>Panduan Loket</source>
            <translation>Loket guide</translation>
        </message>
        <message>
            <source>Isi panduan</source>
            <translation>Guide contents</translation>
        </message>
        <message>
            <source>Panduan tidak ditemukan di perangkat ini ({path}).</source>
            <translation>The guide is not on this device ({path}).</translation>
        </message>
        <message>
            <source>Tutup</source>
            <translation>Close</translation>
        </message>
    </context>
<context>
    <name>ShortcutsDialog</name>
        <message>
            <source>Pintasan keyboard</source>
            <translation>Keyboard shortcuts</translation>
        </message>
        <message>
            <source>Perintah</source>
            <translation>Command</translation>
        </message>
        <message>
            <source>Tombol</source>
            <translation>Keys</translation>
        </message>
        <message>
            <source>Tutup</source>
            <translation>Close</translation>
        </message>
        <message>
            <source>Di daftar berkas: Enter membuka berkas terpilih. Di pratinjau surat: Page Down/Page Up berpindah halaman, Ctrl++ dan Ctrl+- memperbesar dan memperkecil.</source>
            <translation>In the case list: Enter opens the selected case. In the letter preview: Page Down/Page Up turn the page, Ctrl++ and Ctrl+- zoom in and out.</translation>
        </message>
    </context>
<context>
    <name>AboutDialog</name>
        <message>
            <source>Tentang Loket</source>
            <translation>About Loket</translation>
        </message>
        <message>
            <source>belum terdaftar ke server</source>
            <translation>not enrolled with a server yet</translation>
        </message>
        <message>
            <source>Layanan surat dan perizinan Pemerintah Kota Malang: pendaftaran di loket, verifikasi, tanda tangan elektronik, bekerja juga tanpa jaringan.</source>
            <translation>Letters and permits of the City of Malang: registration at the counter, verification, electronic signatures, working offline too.</translation>
        </message>
        <message>
            <source>Server:</source>
            <translation>Server:</translation>
        </message>
        <message>
            <source>Komponen utama dan lisensinya:</source>
            <translation>Main components and their licences:</translation>
        </message>
        <message>
            <source>Komponen</source>
            <translation>Component</translation>
        </message>
        <message>
            <source>Versi</source>
            <translation>Version</translation>
        </message>
        <message>
            <source>Lisensi</source>
            <translation>Licence</translation>
        </message>
        <message>
            <source>Tutup</source>
            <translation>Close</translation>
        </message>
    </context>
<context>
    <name>NikConfirmDialog</name>
        <message>
            <source>Data berbeda dengan NIK</source>
            <translation>Data differs from the NIK</translation>
        </message>
        <message>
            <source>{lines}

NIK yang tanggal lahirnya sudah dikoreksi memang ada. Periksa KTP dan KK pemohon; lanjutkan hanya bila data yang diketik benar.</source>
            <translation>{lines}

NIKs whose birth date was corrected do exist. Check the applicant's ID card and family card; go on only if the typed data is right.</translation>
        </message>
        <message>
            <source>Saya sudah &amp;memeriksa dokumen pemohon; data yang diketik benar.</source>
            <translation>I have &amp;checked the applicant's documents; the typed data is right.</translation>
        </message>
        <message>
            <source>Alasan</source>
            <translation>Reason</translation>
        </message>
        <message>
            <source>Misalnya: tanggal lahir sudah dikoreksi Dukcapil, lihat KK terbaru.</source>
            <translation>For example: the birth date was corrected by Dukcapil, see the latest family card.</translation>
        </message>
        <message>
            <source>&amp;Alasan (wajib, dicatat di riwayat berkas):</source>
            <translation>&amp;Reason (required, kept in the case history):</translation>
        </message>
        <message>
            <source>Tetap gunakan data ini</source>
            <translation>Keep this data</translation>
        </message>
        <message>
            <source>Perbaiki dulu</source>
            <translation>Fix it first</translation>
        </message>
    </context>
<context>
    <name>Dashboard</name>
        <message>
            <source>Jan</source>
            <translation>Jan</translation>
        </message>
        <message>
            <source>Feb</source>
            <translation>Feb</translation>
        </message>
        <message>
            <source>Mar</source>
            <translation>Mar</translation>
        </message>
        <message>
            <source>Apr</source>
            <translation>Apr</translation>
        </message>
        <message>
            <source>Mei</source>
            <translation>May</translation>
        </message>
        <message>
            <source>Jun</source>
            <translation>Jun</translation>
        </message>
        <message>
            <source>Jul</source>
            <translation>Jul</translation>
        </message>
        <message>
            <source>Agu</source>
            <translation>Aug</translation>
        </message>
        <message>
            <source>Sep</source>
            <translation>Sep</translation>
        </message>
        <message>
            <source>Okt</source>
            <translation>Oct</translation>
        </message>
        <message>
            <source>Nov</source>
            <translation>Nov</translation>
        </message>
        <message>
            <source>Des</source>
            <translation>Dec</translation>
        </message>
    </context>
    <context>
    <name>MusrenbangView</name>
    <message>
        <source>Buat berita acara</source>
        <translation>Make the minutes</translation>
    </message>
    <message>
        <source>Berita acara musrenbang kecamatan: usulan yang disetujui Camat tahun anggaran ini, diajukan untuk ditandatangani Camat</source>
        <translation>The minutes of the kecamatan musrenbang: this budget year's proposals approved by the Camat, submitted for the Camat's signature</translation>
    </message>
    <message>
        <source>Buat berita acara Musrenbang {area} tahun anggaran {year} dari usulan yang telah disetujui Camat? Isinya dibekukan sekarang dan diajukan untuk diverifikasi dan ditandatangani.</source>
        <translation>Make the minutes of the Musrenbang of {area}, budget year {year}, from the proposals the Camat has approved? Their content is frozen now and submitted for verification and signature.</translation>
    </message>
    <message>
        <source>Berita acara dibuat</source>
        <translation>Minutes made</translation>
    </message>
    <message>
        <source>Berita acara {reg_no} ({n} usulan, {cost}) telah diajukan; menunggu verifikasi dan tanda tangan Camat.</source>
        <translation>Minutes {reg_no} ({n} proposals, {cost}) submitted; waiting for verification and the Camat's signature.</translation>
    </message>
    <message>
        <source>Atur pagu…</source>
        <translation>Set ceiling…</translation>
    </message>
    <message>
        <source>Pagu indikatif kelurahan terpilih untuk tahun anggaran ini (staf kecamatannya)</source>
        <translation>The chosen kelurahan's indicative ceiling for this budget year (its kecamatan's staff)</translation>
    </message>
    <message>
        <source>Pagu indikatif</source>
        <translation>Indicative ceiling</translation>
    </message>
    <message>
        <source>Pagu indikatif Kelurahan {name}, tahun anggaran {year} (Rp; kosongkan untuk menghapus):</source>
        <translation>Indicative ceiling of Kelurahan {name}, budget year {year} (IDR; leave empty to remove):</translation>
    </message>
    <message>
        <source>Tulis pagu sebagai angka rupiah, misalnya 450.000.000.</source>
        <translation>Write the ceiling as a rupiah amount, for example 450.000.000.</translation>
    </message>
    <message>
        <source>Tahun anggaran</source>
            <translation>Budget year</translation>
    </message>
    <message>
        <source>Kecamatan</source>
            <translation>Kecamatan</translation>
    </message>
    <message>
        <source>Seluruh kota</source>
            <translation>Whole city</translation>
    </message>
    <message>
        <source>Kelurahan</source>
            <translation>Kelurahan</translation>
    </message>
    <message>
        <source>Wilayah</source>
            <translation>Area</translation>
    </message>
    <message>
        <source>Usulan aktif</source>
            <translation>Active proposals</translation>
    </message>
    <message>
        <source>Perkiraan biaya (juta Rp)</source>
            <translation>Estimated cost (IDR million)</translation>
    </message>
    <message>
        <source>Usulan melebihi pagu indikatif</source>
            <translation>Proposals over the indicative ceiling</translation>
    </message>
    <message>
        <source>Biaya per kelurahan (juta Rp)</source>
            <translation>Cost per kelurahan (IDR million)</translation>
    </message>
    <message>
        <source>Biaya per bidang (juta Rp)</source>
            <translation>Cost per sector (IDR million)</translation>
    </message>
    <message>
        <source>Usulan menurut peringkat prioritas</source>
            <translation>Proposals by priority rank</translation>
    </message>
    <message>
        <source>Semua kelurahan</source>
            <translation>All kelurahan</translation>
    </message>
    <message>
        <source>{area}, tahun anggaran {year}: {n} usulan aktif, {cost}. Baris merah melewati pagu indikatif kelurahannya ({kel}).</source>
            <translation>{area}, budget year {year}: {n} active proposals, {cost}. Red rows pass their kelurahan's indicative ceiling ({kel}).</translation>
    </message>
    <message>
        <source>Ekspor XLSX…</source>
            <translation>Export XLSX…</translation>
    </message>
        <message>
        <source>Ekspor PDF…</source>
            <translation>Export PDF…</translation>
    </message>
        <message>
        <source>Simpan rekap</source>
            <translation>Save summary</translation>
    </message>
        <message>
        <source>Rekap tersimpan</source>
            <translation>Summary saved</translation>
    </message>
        <message>
        <source>Rekap disimpan di {path}</source>
            <translation>Summary saved to {path}</translation>
    </message>
    </context>
    <context>
    <name>RekapView</name>
    <message>
        <source>Rekap</source>
            <translation>Summaries</translation>
    </message>
    <message>
        <source>Musrenbang</source>
            <translation>Musrenbang</translation>
    </message>
    <message>
        <source>Laporan sekolah</source>
            <translation>School reports</translation>
    </message>
</context>
    <context>
    <name>SekolahView</name>
    <message>
        <source>Semester</source>
            <translation>Semester</translation>
    </message>
    <message>
        <source>Kecamatan</source>
            <translation>Kecamatan</translation>
    </message>
    <message>
        <source>Semua kecamatan</source>
            <translation>All kecamatan</translation>
    </message>
    <message>
        <source>Sekolah sudah melapor</source>
            <translation>Schools reported</translation>
    </message>
    <message>
        <source>Sekolah belum melapor</source>
            <translation>Schools not reported yet</translation>
    </message>
    <message>
        <source>Peserta didik</source>
            <translation>Students</translation>
    </message>
    <message>
        <source>Putus sekolah</source>
            <translation>Dropouts</translation>
    </message>
    <message>
        <source>Peserta didik per kecamatan</source>
            <translation>Students per kecamatan</translation>
    </message>
    <message>
        <source>Peserta didik per jenjang</source>
            <translation>Students per level</translation>
    </message>
    <message>
        <source>Laporan sekolah yang diterima</source>
            <translation>Accepted school reports</translation>
    </message>
    <message>
        <source>Sekolah yang belum melapor</source>
            <translation>Schools that have not reported yet</translation>
    </message>
    <message>
        <source>Laporan diterima</source>
            <translation>Accepted reports</translation>
    </message>
    <message>
        <source>Belum melapor</source>
            <translation>Not reported yet</translation>
    </message>
    <message>
        <source>{semester}: {n} sekolah melapor, {m} belum. Dibanding semester lalu (sekolah yang melapor di kedua semester): peserta didik {ds:+d}, guru {dg:+d}, putus sekolah {dd:+d}.</source>
            <translation>{semester}: {n} schools reported, {m} not yet. Against the previous semester (schools that reported in both): students {ds:+d}, teachers {dg:+d}, dropouts {dd:+d}.</translation>
    </message>
    <message>
        <source>Ekspor XLSX…</source>
            <translation>Export XLSX…</translation>
    </message>
        <message>
        <source>Ekspor PDF…</source>
            <translation>Export PDF…</translation>
    </message>
        <message>
        <source>Simpan rekap</source>
            <translation>Save summary</translation>
    </message>
        <message>
        <source>Rekap tersimpan</source>
            <translation>Summary saved</translation>
    </message>
        <message>
        <source>Rekap disimpan di {path}</source>
            <translation>Summary saved to {path}</translation>
    </message>
    </context>
    <context>
    <name>_RekapPage</name>
    <message>
        <source>Ekspor XLSX…</source>
            <translation>Export XLSX…</translation>
    </message>
    <message>
        <source>Ekspor PDF…</source>
            <translation>Export PDF…</translation>
    </message>
    <message>
        <source>Simpan rekap</source>
            <translation>Save summary</translation>
    </message>
    <message>
        <source>Rekap tersimpan</source>
            <translation>Summary saved</translation>
    </message>
    <message>
        <source>Rekap disimpan di {path}</source>
            <translation>Summary saved to {path}</translation>
    </message>
</context>
</TS>
