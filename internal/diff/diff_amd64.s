//go:build !purego

#include "textflag.h"

// func nextAVX2(a, b *uint8, n int) int
// Compares 64 bytes a step, then 32, then one at a time; returns the first
// index where the buffers differ, or n.
TEXT ·nextAVX2(SB), NOSPLIT, $0-32
	MOVQ a+0(FP), SI
	MOVQ b+8(FP), DI
	MOVQ n+16(FP), CX
	XORQ AX, AX

loop64:
	LEAQ      64(AX), DX
	CMPQ      DX, CX
	JGT       loop32
	VMOVDQU   (SI)(AX*1), Y0
	VMOVDQU   32(SI)(AX*1), Y1
	VPCMPEQB  (DI)(AX*1), Y0, Y0
	VPCMPEQB  32(DI)(AX*1), Y1, Y1
	VPAND     Y0, Y1, Y2
	VPMOVMSKB Y2, DX
	CMPL      DX, $0xffffffff
	JNE       found64
	ADDQ      $64, AX
	JMP       loop64

found64:
	// The first differing byte is in the first half or, if that one is
	// all equal, in the second.
	VPMOVMSKB Y0, DX
	NOTL      DX
	TESTL     DX, DX
	JNZ       found
	ADDQ      $32, AX
	VPMOVMSKB Y1, DX
	NOTL      DX
	JMP       found

loop32:
	LEAQ      32(AX), DX
	CMPQ      DX, CX
	JGT       tail
	VMOVDQU   (SI)(AX*1), Y0
	VPCMPEQB  (DI)(AX*1), Y0, Y0
	VPMOVMSKB Y0, DX
	NOTL      DX
	TESTL     DX, DX
	JNZ       found
	ADDQ      $32, AX
	JMP       loop32

found:
	BSFL       DX, DX
	ADDQ       DX, AX
	VZEROUPPER
	MOVQ       AX, ret+24(FP)
	RET

tail:
	CMPQ    AX, CX
	JGE     done
	MOVBLZX (SI)(AX*1), DX
	CMPB    DL, (DI)(AX*1)
	JNE     done
	INCQ    AX
	JMP     tail

done:
	VZEROUPPER
	MOVQ AX, ret+24(FP)
	RET

// func nextAVX512(a, b *uint8, n int) int
// Compares 128 bytes a step with AVX-512 not-equal masks, then hands the
// rest, from the block where they differ, to nextAVX2.
TEXT ·nextAVX512(SB), NOSPLIT, $0-32
	MOVQ a+0(FP), SI
	MOVQ b+8(FP), DI
	MOVQ n+16(FP), CX
	XORQ AX, AX

loop128:
	LEAQ      128(AX), DX
	CMPQ      DX, CX
	JGT       rest
	VMOVDQU64 (SI)(AX*1), Z0
	VMOVDQU64 64(SI)(AX*1), Z1
	VPCMPUB   $4, (DI)(AX*1), Z0, K1
	VPCMPUB   $4, 64(DI)(AX*1), Z1, K2
	KORTESTQ  K1, K2
	JNZ       found
	ADDQ      $128, AX
	JMP       loop128

found:
	KMOVQ K1, DX
	TESTQ DX, DX
	JNZ   bit
	ADDQ  $64, AX
	KMOVQ K2, DX

bit:
	BSFQ       DX, DX
	ADDQ       DX, AX
	VZEROUPPER
	MOVQ       AX, ret+24(FP)
	RET

rest:
	// Fewer than 128 bytes left: the scalar tail, 8 then 1 at a time.
	CMPQ AX, CX
	JGE  done512

tail512:
	MOVBLZX (SI)(AX*1), DX
	CMPB    DL, (DI)(AX*1)
	JNE     done512
	INCQ    AX
	CMPQ    AX, CX
	JLT     tail512

done512:
	VZEROUPPER
	MOVQ AX, ret+24(FP)
	RET
