/* Developer check of the OrtApi indices used by src/SegKit.Onnx/Native/OrtApi.cs (not shipped).
 * It treats the OrtApi table as an array of function pointers and calls every index SegKit uses,
 * printing what each returns, so a wrong index shows up as a crash or a wrong answer.
 *   gcc -o /tmp/ort_api_check tools/onnx/ort_api_check.c -ldl
 *   /tmp/ort_api_check native/linux-x64/libonnxruntime.so.1 .cache/fixtures/onnx_parity/multi_dtype.onnx
 * Expected with ORT 1.30.0: the multi_dtype inputs/outputs with element types 1,7,6,2,9 / 1,11,7,6,7,2,9,
 * metadata names/stride, f_out = 2.5 4.5 12.5, i64_out 1000000000004, and CUDA append failing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <dlfcn.h>
typedef struct { void* (*GetApi)(uint32_t); const char* (*GetVersionString)(void); } Base;
typedef void* P;
static void** api;
#define F(i, T) ((T)api[i])
static void chk(P st, const char* what){ if(st){ printf("%s: ERR code=%d msg=%s\n", what, F(1,int(*)(P))(st), F(2,const char*(*)(P))(st)); F(93,void(*)(P))(st);} }
int main(int argc, char** argv){ setvbuf(stdout,0,_IONBF,0);
  if(argc<3){ fprintf(stderr,"usage: %s libonnxruntime.so.1 multi_dtype.onnx\n",argv[0]); return 2; }
  void* h = dlopen(argv[1], RTLD_NOW);
  Base* b = ((Base*(*)(void))dlsym(h,"OrtGetApiBase"))();
  printf("version %s\n", b->GetVersionString());
  for (int v=1; v<40; v++) if(!b->GetApi(v)) { printf("max api version %d\n", v-1); break; }
  api = b->GetApi(16);
  P st = F(0,P(*)(int,const char*))(7,"hello"); printf("status code %d msg %s\n", F(1,int(*)(P))(st), F(2,const char*(*)(P))(st)); F(93,void(*)(P))(st);
  P env=0; chk(F(3,P(*)(int,const char*,P*))(2,"t",&env),"CreateEnv");
  P so=0; chk(F(10,P(*)(P*))(&so),"CreateSessionOptions");
  chk(F(23,P(*)(P,int))(so,99),"SetGraphOpt");
  chk(F(24,P(*)(P,int))(so,1),"SetIntra");
  chk(F(25,P(*)(P,int))(so,1),"SetInter");
  chk(F(130,P(*)(P,const char*,const char*))(so,"session.force_spinning_stop","1"),"AddSessionConfigEntry");
  P sess=0; chk(F(7,P(*)(P,const char*,P,P*))(env,argv[2],so,&sess),"CreateSession");
  P sess2=0; chk(F(7,P(*)(P,const char*,P,P*))(env,"/etc/hostname",so,&sess2),"CreateSession bad");
  P alloc=0; chk(F(78,P(*)(P*))(&alloc),"GetAllocator");
  size_t n=0; chk(F(30,P(*)(P,size_t*))(sess,&n),"InCount"); printf("inputs %zu\n",n);
  for(size_t i=0;i<n;i++){ char* name=0; chk(F(36,P(*)(P,size_t,P,char**))(sess,i,alloc,&name),"InName");
    P ti=0; chk(F(33,P(*)(P,size_t,P*))(sess,i,&ti),"InTypeInfo");
    int ot=0; chk(F(56,P(*)(P,int*))(ti,&ot),"OnnxType");
    P tsi=0; chk(F(55,P(*)(P,P*))(ti,&tsi),"Cast");
    int et=0; chk(F(60,P(*)(P,int*))(tsi,&et),"ElemType");
    size_t dc=0; chk(F(61,P(*)(P,size_t*))(tsi,&dc),"DimCount");
    int64_t dims[8]; chk(F(62,P(*)(P,int64_t*,size_t))(tsi,dims,dc),"Dims");
    const char* sym[8]; chk(F(63,P(*)(P,const char**,size_t))(tsi,sym,dc),"Sym");
    printf(" %s onnxtype=%d elem=%d rank=%zu:", name, ot, et, dc); for(size_t d=0;d<dc;d++) printf(" %lld(%s)", (long long)dims[d], sym[d]); printf("\n");
    F(98,void(*)(P))(ti);
    chk(F(76,P(*)(P,P))(alloc,name),"Free");
  }
  chk(F(31,P(*)(P,size_t*))(sess,&n),"OutCount"); printf("outputs %zu\n",n);
  for(size_t i=0;i<n;i++){ char* name=0; chk(F(37,P(*)(P,size_t,P,char**))(sess,i,alloc,&name),"OutName");
    P ti=0; chk(F(34,P(*)(P,size_t,P*))(sess,i,&ti),"OutTypeInfo"); P tsi; chk(F(55,P(*)(P,P*))(ti,&tsi),"Cast"); int et; chk(F(60,P(*)(P,int*))(tsi,&et),"ET");
    printf(" %s elem=%d\n", name, et); F(98,void(*)(P))(ti); F(76,P(*)(P,P))(alloc,name); }
  P md=0; chk(F(111,P(*)(P,P*))(sess,&md),"Metadata");
  char* s; 
  chk(F(112,P(*)(P,P,char**))(md,alloc,&s),"Producer"); printf("producer %s\n",s); F(76,P(*)(P,P))(alloc,s);
  chk(F(113,P(*)(P,P,char**))(md,alloc,&s),"Graph"); printf("graph %s\n",s); F(76,P(*)(P,P))(alloc,s);
  chk(F(114,P(*)(P,P,char**))(md,alloc,&s),"Domain"); printf("domain %s\n",s); F(76,P(*)(P,P))(alloc,s);
  chk(F(115,P(*)(P,P,char**))(md,alloc,&s),"Desc"); printf("desc %s\n",s); F(76,P(*)(P,P))(alloc,s);
  chk(F(158,P(*)(P,P,char**))(md,alloc,&s),"GraphDesc"); printf("graphdesc %s\n",s); F(76,P(*)(P,P))(alloc,s);
  int64_t ver; chk(F(117,P(*)(P,int64_t*))(md,&ver),"Version"); printf("version %lld\n",(long long)ver);
  char** keys; int64_t nk; chk(F(123,P(*)(P,P,char***,int64_t*))(md,alloc,&keys,&nk),"Keys");
  for(int64_t k=0;k<nk;k++){ char* v; chk(F(116,P(*)(P,P,const char*,char**))(md,alloc,keys[k],&v),"Lookup"); printf(" meta %s=%s\n",keys[k],v); F(76,P(*)(P,P))(alloc,v); F(76,P(*)(P,P))(alloc,keys[k]); }
  F(76,P(*)(P,P))(alloc,keys);
  F(118,void(*)(P))(md);
  // run
  P mi=0; chk(F(69,P(*)(int,int,P*))(1 /*OrtArenaAllocator? */,0,&mi),"CpuMemInfo");
  float f[6]={1,2,3,4,5,6}; int64_t fs[2]={2,3};
  int64_t i64[4]={1,2,3,4}; int64_t s22[2]={2,2}; int32_t i32[4]={1,2,3,4}; int64_t s4[1]={4};
  uint8_t u8[6]={1,2,3,4,5,6}; int64_t s23[2]={2,3}; uint8_t bb[3]={1,0,1}; int64_t s3[1]={3};
  P v[5]={0};
  chk(F(49,P(*)(P,void*,size_t,const int64_t*,size_t,int,P*))(mi,f,24,fs,2,1,&v[0]),"T0");
  chk(F(49,P(*)(P,void*,size_t,const int64_t*,size_t,int,P*))(mi,i64,32,s22,2,7,&v[1]),"T1");
  chk(F(49,P(*)(P,void*,size_t,const int64_t*,size_t,int,P*))(mi,i32,16,s4,1,6,&v[2]),"T2");
  chk(F(49,P(*)(P,void*,size_t,const int64_t*,size_t,int,P*))(mi,u8,6,s23,2,2,&v[3]),"T3");
  chk(F(49,P(*)(P,void*,size_t,const int64_t*,size_t,int,P*))(mi,bb,3,s3,1,9,&v[4]),"T4");
  int ist=-1; chk(F(50,P(*)(P,int*))(v[0],&ist),"IsTensor"); printf("istensor %d\n",ist);
  const char* in[5]={"f","i64","i32","u8","b"}; const char* on[2]={"f_out","i64_out"}; P outv[2]={0};
  chk(F(9,P(*)(P,P,const char*const*,const P*,size_t,const char*const*,size_t,P*))(sess,0,in,v,5,on,2,outv),"Run");
  float* fo; chk(F(51,P(*)(P,void**))(outv[0],(void**)&fo),"Data"); printf("f_out %g %g %g\n",fo[0],fo[1],fo[5]);
  int64_t* io; chk(F(51,P(*)(P,void**))(outv[1],(void**)&io),"Data"); printf("i64_out %lld\n",(long long)io[3]);
  P ts; chk(F(65,P(*)(P,P*))(outv[0],&ts),"TypeAndShape"); size_t cnt; chk(F(64,P(*)(P,size_t*))(ts,&cnt),"ElemCount"); printf("count %zu\n",cnt); F(99,void(*)(P))(ts);
  int vt; chk(F(67,P(*)(P,int*))(outv[0],&vt),"ValueType"); printf("valuetype %d\n",vt);
  const char* bn[1]={"nope"}; P bo[1]={0};
  chk(F(9,P(*)(P,P,const char*const*,const P*,size_t,const char*const*,size_t,P*))(sess,0,in,v,5,bn,1,bo),"Run bad output");
  // CUDA
  P cuo=0; chk(F(205,P(*)(P*))(&cuo),"CreateCUDAProviderOptions");
  if(cuo){ chk(F(204,P(*)(P,P))(so,cuo),"AppendCUDA_V2"); F(208,void(*)(P))(cuo);}
  struct { int device_id; int algo; size_t lim; int arena; int copy; void* stream; int has; void* def; void* ac;} legacy={0};
  chk(F(152,P(*)(P,void*))(so,&legacy),"AppendCUDA legacy");
  char** prov; int np; chk(F(125,P(*)(char***,int*))(&prov,&np),"Providers"); for(int i=0;i<np;i++) printf("provider %s\n",prov[i]); chk(F(126,P(*)(char**,int))(prov,np),"RelProv");
  for(int i=0;i<2;i++) F(96,void(*)(P))(outv[i]);
  for(int i=0;i<5;i++) F(96,void(*)(P))(v[i]);
  F(94,void(*)(P))(mi); F(95,void(*)(P))(sess); F(100,void(*)(P))(so); F(92,void(*)(P))(env);
  printf("ok\n");
  return 0;
}
