//go:build !purego

#include "textflag.h"

// MASK64 gathers the byte masks of two 32-byte compares, lo and hi, into
// the 64-bit word dst, a bit per byte (BX is clobbered).
#define MASK64(lo, hi, dst) \
	VPMOVMSKB lo, dst \
	VPMOVMSKB hi, BX  \
	SHLQ      $32, BX \
	ORQ       BX, dst

// MOVEALIKE moves the count of the changed cells (mask R11) in the
// histogram R9 from the colour of prev[DX] (SI) to that of frame[DX]
// (DI), for a block whose changes are all alike; R12 and R13 are
// clobbered.
#define MOVEALIKE \
	POPCNTQ R11, R12           \
	MOVBQZX (SI)(DX*1), R13    \
	ANDQ    $15, R13           \
	SUBQ    R12, (R9)(R13*8)   \
	MOVBQZX (DI)(DX*1), R13    \
	ANDQ    $15, R13           \
	ADDQ    R12, (R9)(R13*8)

// func blockAVX512(a, b *uint8, n int) (off int, mask uint64)
// n is a multiple of 64. Finds the first 64-byte block where a and b
// differ, 128 bytes a step, and returns its offset and the mask of the
// differing bytes; n and 0 when none differs.
TEXT ·blockAVX512(SB), NOSPLIT, $0-40
	MOVQ a+0(FP), SI
	MOVQ b+8(FP), DI
	MOVQ n+16(FP), CX
	XORQ AX, AX

bloop128:
	LEAQ      128(AX), DX
	CMPQ      DX, CX
	JGT       bloop64
	VMOVDQU64 (SI)(AX*1), Z0
	VMOVDQU64 64(SI)(AX*1), Z1
	VPCMPUB   $4, (DI)(AX*1), Z0, K1
	VPCMPUB   $4, 64(DI)(AX*1), Z1, K2
	KORTESTQ  K1, K2
	JNZ       bfound128
	ADDQ      $128, AX
	JMP       bloop128

bfound128:
	KMOVQ K1, DX
	TESTQ DX, DX
	JNZ   bret
	ADDQ  $64, AX
	KMOVQ K2, DX
	JMP   bret

bloop64:
	CMPQ      AX, CX
	JGE       bnone
	VMOVDQU64 (SI)(AX*1), Z0
	VPCMPUB   $4, (DI)(AX*1), Z0, K1
	KMOVQ     K1, DX
	TESTQ     DX, DX
	JNZ       bret
	ADDQ      $64, AX
	JMP       bloop64

bret:
	VZEROUPPER
	MOVQ AX, off+24(FP)
	MOVQ DX, mask+32(FP)
	RET

bnone:
	VZEROUPPER
	MOVQ CX, off+24(FP)
	MOVQ $0, mask+32(FP)
	RET

// func blockAVX2(a, b *uint8, n int) (off int, mask uint64)
// blockAVX2 is blockAVX512 for AVX2: two 32-byte compares a block.
TEXT ·blockAVX2(SB), NOSPLIT, $0-40
	MOVQ a+0(FP), SI
	MOVQ b+8(FP), DI
	MOVQ n+16(FP), CX
	XORQ AX, AX

cloop:
	CMPQ      AX, CX
	JGE       cnone
	VMOVDQU   (SI)(AX*1), Y0
	VMOVDQU   32(SI)(AX*1), Y1
	VPCMPEQB  (DI)(AX*1), Y0, Y0
	VPCMPEQB  32(DI)(AX*1), Y1, Y1
	MASK64(Y0, Y1, DX)
	NOTQ      DX
	TESTQ     DX, DX
	JNZ       cret
	ADDQ      $64, AX
	JMP       cloop

cret:
	VZEROUPPER
	MOVQ AX, off+24(FP)
	MOVQ DX, mask+32(FP)
	RET

cnone:
	VZEROUPPER
	MOVQ CX, off+24(FP)
	MOVQ $0, mask+32(FP)
	RET

// Bytes of 0x01, for notEqualAVX2.
DATA ones<>+0(SB)/8, $0x0101010101010101
DATA ones<>+8(SB)/8, $0x0101010101010101
DATA ones<>+16(SB)/8, $0x0101010101010101
DATA ones<>+24(SB)/8, $0x0101010101010101
GLOBL ones<>(SB), RODATA|NOPTR, $32

// func notEqualAVX2(dst *bool, src *uint8, n int, v uint8)
// n is a multiple of 32: dst[i] = src[i] != v, 32 bytes a step.
TEXT ·notEqualAVX2(SB), NOSPLIT, $0-25
	MOVQ         dst+0(FP), DI
	MOVQ         src+8(FP), SI
	MOVQ         n+16(FP), CX
	MOVBLZX      v+24(FP), AX
	MOVQ         AX, X2
	VPBROADCASTB X2, Y2
	VMOVDQU      ones<>(SB), Y1
	XORQ         AX, AX

nloop:
	CMPQ     AX, CX
	JGE      ndone
	VPCMPEQB (SI)(AX*1), Y2, Y0
	VPANDN   Y1, Y0, Y3
	VMOVDQU  Y3, (DI)(AX*1)
	ADDQ     $32, AX
	JMP      nloop

ndone:
	VZEROUPPER
	RET

// func trackAVX512(prev, frame *uint8, notBg *bool, n int, bg uint8, hist *[16]int)
// n is a multiple of 64. For each 64-byte block where prev and frame
// differ: copies frame's block into prev, sets notBg's block to
// frame != bg, and moves the changed cells' counts in hist from prev's
// colours to frame's (by their low four bits).
TEXT ·trackAVX512(SB), NOSPLIT, $0-48
	MOVQ    prev+0(FP), SI
	MOVQ    frame+8(FP), DI
	MOVQ    notBg+16(FP), R8
	MOVQ    n+24(FP), CX
	MOVBQZX bg+32(FP), AX
	MOVQ    hist+40(FP), R9
	MOVQ    $0x0101010101010101, BX
	IMULQ   BX, AX
	VPBROADCASTQ AX, Z7
	VPBROADCASTQ BX, Z6
	MOVQ    $0x0f0f0f0f0f0f0f0f, DX
	VPBROADCASTQ DX, Z5
	XORQ    R10, R10

tloop:
	CMPQ      R10, CX
	JGE       tdone
	VMOVDQU64 (SI)(R10*1), Z0
	VMOVDQU64 (DI)(R10*1), Z1
	VPCMPUB   $4, Z1, Z0, K1
	KORTESTQ  K1, K1
	JZ        tnext

	// Changes in a block are mostly alike, one colour turned into one
	// other: when all are like the first, two counts move at once.
	KMOVQ        K1, R11
	BSFQ         R11, DX
	ADDQ         R10, DX
	VPBROADCASTB (SI)(DX*1), Z8
	VPBROADCASTB (DI)(DX*1), Z9
	VPCMPUB      $0, Z8, Z0, K1, K3
	VPCMPUB      $0, Z9, Z1, K1, K4
	KMOVQ        K3, R12
	KMOVQ        K4, R13
	CMPQ         R12, R11
	JNE          tmixed
	CMPQ         R13, R11
	JNE          tmixed
	MOVEALIKE
	JMP          tstore

	// Mixed changes: count them colour by colour.
tmixed:
	VPANDQ Z5, Z0, Z10
	VPANDQ Z5, Z1, Z11
	VPXORQ Z3, Z3, Z3
	XORQ   R12, R12

tcolour:
	VPCMPUB $0, Z3, Z11, K1, K3
	VPCMPUB $0, Z3, Z10, K1, K4
	KMOVQ   K3, DX
	KMOVQ   K4, R13
	POPCNTQ DX, DX
	POPCNTQ R13, R13
	SUBQ    R13, DX
	ADDQ    DX, (R9)(R12*1)
	VPADDB  Z6, Z3, Z3
	ADDQ    $8, R12
	CMPQ    R12, $128
	JLT     tcolour

tstore:
	VMOVDQU64 Z1, (SI)(R10*1)
	VPCMPUB   $4, Z7, Z1, K2
	VPMOVM2B  K2, Z2
	VPANDQ    Z6, Z2, Z2
	VMOVDQU64 Z2, (R8)(R10*1)

tnext:
	ADDQ $64, R10
	JMP  tloop

tdone:
	VZEROUPPER
	RET

// func trackAVX2(prev, frame *uint8, notBg *bool, n int, bg uint8, hist *[16]int)
// trackAVX2 is trackAVX512 for AVX2: a block is two 32-byte halves, and
// the byte masks are gathered into one 64-bit word with VPMOVMSKB.
TEXT ·trackAVX2(SB), NOSPLIT, $0-48
	MOVQ         prev+0(FP), SI
	MOVQ         frame+8(FP), DI
	MOVQ         notBg+16(FP), R8
	MOVQ         n+24(FP), CX
	MOVBLZX      bg+32(FP), AX
	MOVQ         hist+40(FP), R9
	MOVQ         AX, X7
	VPBROADCASTB X7, Y7
	VMOVDQU      ones<>(SB), Y6
	MOVQ         $0x0f0f0f0f0f0f0f0f, DX
	MOVQ         DX, X5
	VPBROADCASTQ X5, Y5
	XORQ         R10, R10

aloop:
	CMPQ      R10, CX
	JGE       adone
	VMOVDQU   (SI)(R10*1), Y0
	VMOVDQU   32(SI)(R10*1), Y1
	VMOVDQU   (DI)(R10*1), Y2
	VMOVDQU   32(DI)(R10*1), Y3
	VPCMPEQB  Y2, Y0, Y8
	VPCMPEQB  Y3, Y1, Y9
	MASK64(Y8, Y9, R11)
	NOTQ      R11
	TESTQ     R11, R11
	JZ        anext

	// Mostly alike changes: when every changed cell was the colour of
	// the first and became the colour of the first, two counts move.
	BSFQ         R11, DX
	ADDQ         R10, DX
	VPBROADCASTB (SI)(DX*1), Y8
	VPBROADCASTB (DI)(DX*1), Y9
	VPCMPEQB     Y8, Y0, Y10
	VPCMPEQB     Y8, Y1, Y11
	MASK64(Y10, Y11, R12)
	ANDQ         R11, R12
	CMPQ         R12, R11
	JNE          amixed
	VPCMPEQB     Y9, Y2, Y10
	VPCMPEQB     Y9, Y3, Y11
	MASK64(Y10, Y11, R13)
	ANDQ         R11, R13
	CMPQ         R13, R11
	JNE          amixed
	MOVEALIKE
	JMP          astore

	// Mixed changes: count them colour by colour (low four bits).
amixed:
	VPAND Y5, Y0, Y10
	VPAND Y5, Y1, Y11
	VPAND Y5, Y2, Y12
	VPAND Y5, Y3, Y13
	VPXOR Y4, Y4, Y4
	XORQ  R12, R12

acolour:
	VPCMPEQB  Y4, Y12, Y8
	VPCMPEQB  Y4, Y13, Y9
	MASK64(Y8, Y9, DX)
	ANDQ      R11, DX
	POPCNTQ   DX, DX
	VPCMPEQB  Y4, Y10, Y8
	VPCMPEQB  Y4, Y11, Y9
	MASK64(Y8, Y9, R13)
	ANDQ      R11, R13
	POPCNTQ   R13, R13
	SUBQ      R13, DX
	ADDQ      DX, (R9)(R12*1)
	VPADDB    Y6, Y4, Y4
	ADDQ      $8, R12
	CMPQ      R12, $128
	JLT       acolour

astore:
	VMOVDQU  Y2, (SI)(R10*1)
	VMOVDQU  Y3, 32(SI)(R10*1)
	VPCMPEQB Y7, Y2, Y8
	VPCMPEQB Y7, Y3, Y9
	VPANDN   Y6, Y8, Y8
	VPANDN   Y6, Y9, Y9
	VMOVDQU  Y8, (R8)(R10*1)
	VMOVDQU  Y9, 32(R8)(R10*1)

anext:
	ADDQ $64, R10
	JMP  aloop

adone:
	VZEROUPPER
	RET
