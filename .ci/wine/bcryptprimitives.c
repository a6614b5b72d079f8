/*
 * A stand-in for Windows 10's bcryptprimitives.dll, which Debian's wine 8.0
 * lacks. Go 1.22 and later read random bytes with its ProcessPrng at start;
 * without it a Go program dies under wine before main. This one fills the
 * buffer from RtlGenRandom (advapi32's SystemFunction036), which wine
 * implements on the host's random source. Used only to run the Windows
 * test binaries in CI; never shipped.
 */
#include <windows.h>
#include <ntsecapi.h>

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
	while (len > 0) {
		ULONG n = len > 0x40000000 ? 0x40000000 : (ULONG)len;
		if (!RtlGenRandom(data, n))
			return FALSE;
		data += n;
		len -= n;
	}
	return TRUE;
}
