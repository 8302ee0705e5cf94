"""Signs PDFs through web_login's CSC API with pyHanko's CSCSigner, then validates them.

Run by tests/suite/pyhanko.rs (the Python of a virtual environment with pyHanko from PyPI):

    python pyhanko_csc.py BASE USER PASSWORD OTP CA_PEM OUT_DIR

It logs in (HTTP Basic at auth/login), lists the user's credentials, lets pyHanko read the
certificates (credentials/info), and signs a PDF it writes, the SAD authorized with OTP (a code
of the user's soft token). pyHanko's validator then checks the signature with CA_PEM as the
only trust root. Last, the SAD of that signature is offered again for a second PDF: the service
must refuse it. Prints one JSON object.
"""

import asyncio
import json
import sys

import aiohttp
from asn1crypto import pem, x509
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import signers
from pyhanko.sign.general import SigningError
from pyhanko.sign.signers.csc_signer import (
    CSCAuthorizationManager,
    CSCServiceSessionInfo,
    CSCSigner,
    PrefetchedSADAuthorizationManager,
    fetch_certs_in_csc_credential,
)
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko_certvalidator import ValidationContext


def minimal_pdf(text: str) -> bytes:
    """A one-page PDF with a cross-reference table whose offsets are right."""
    stream = f"BT /F1 24 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


class OtpAuthorization(CSCAuthorizationManager):
    """credentials/authorize with the soft token's code, bound to the hashes (SCAL2)."""

    def __init__(self, session_info, credential_info, http, otp):
        super().__init__(session_info, credential_info)
        self.http = http
        self.otp = otp
        self.sad = None

    async def authorize_signature(self, hash_b64s):
        request = self.format_csc_auth_request(otp=self.otp, hash_b64s=hash_b64s)
        async with self.http.post(
            self.csc_session_info.endpoint_url("credentials/authorize"),
            headers=self.auth_headers,
            json=request,
            raise_for_status=True,
        ) as response:
            info = self.parse_csc_auth_response(await response.json())
        self.sad = info
        return info


async def sign(http, signer, path, text):
    writer = IncrementalPdfFileWriter_from(minimal_pdf(text))
    with open(path, "wb") as out:
        await signers.async_sign_pdf(
            writer,
            signers.PdfSignatureMetadata(field_name="Signature1"),
            signer=signer,
            output=out,
        )


def IncrementalPdfFileWriter_from(data):
    import io

    return IncrementalPdfFileWriter(io.BytesIO(data))


async def main(base, user, password, otp, ca_pem, out_dir):
    with open(ca_pem, "rb") as f:
        _, _, der = pem.unarmor(f.read())
    root = x509.Certificate.load(der)
    result = {}
    async with aiohttp.ClientSession() as http:
        async with http.post(
            f"{base}/csc/v1/auth/login",
            auth=aiohttp.BasicAuth(user, password),
            json={},
            raise_for_status=True,
        ) as response:
            token = (await response.json())["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        async with http.post(
            f"{base}/csc/v1/credentials/list", headers=headers, json={}, raise_for_status=True
        ) as response:
            credential = (await response.json())["credentialIDs"][0]
        session_info = CSCServiceSessionInfo(base, credential, oauth_token=token)
        credential_info = await fetch_certs_in_csc_credential(http, session_info)
        result["scal2"] = credential_info.hash_pinning_required
        auth = OtpAuthorization(session_info, credential_info, http, otp)
        signer = CSCSigner(http, auth_manager=auth)
        first = f"{out_dir}/signed.pdf"
        await sign(http, signer, first, "Signed through tollgate's CSC API")

        with open(first, "rb") as f:
            reader = PdfFileReader(f)
            embedded = reader.embedded_signatures[0]
            context = ValidationContext(trust_roots=[root])
            status = await async_validate_pdf_signature(embedded, context)
            result["intact"] = status.intact
            result["valid"] = status.valid
            result["trusted"] = status.trusted
            result["bottom_line"] = status.bottom_line
            result["signer"] = status.signing_cert.subject.human_friendly
            result["signer_issuer"] = status.signing_cert.issuer.human_friendly
            result["md_algorithm"] = status.md_algorithm
            result["mechanism"] = status.pkcs7_signature_mechanism

        # The same SAD for another PDF: refused by the service.
        replay = PrefetchedSADAuthorizationManager(session_info, credential_info, auth.sad)
        again = CSCSigner(http, auth_manager=replay)
        try:
            await sign(http, again, f"{out_dir}/replayed.pdf", "Another document")
            result["replayed"] = "signed"
        except SigningError:
            result["replayed"] = "refused"

    print(json.dumps(result))


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:7]))
