/** Pieces the pages of 电子照片管理 share. */
import type { ReactNode } from 'react';
import { Image, Upload } from 'antd';
import { urlOf } from '../../client.ts';
import { photosApi } from '../../../shared/contract/photos.ts';

/** A stored photo shown by its thumbnail; clicking it previews the original. */
export function PhotoImage({ id, width, height, alt }: { id: number; width: number; height: number; alt?: string }) {
  const params = { id };
  return <Image width={width} height={height} src={urlOf(photosApi.thumb, { params })} preview={{ src: urlOf(photosApi.image, { params }) }} alt={alt} />;
}

/** A button that picks one file and hands it over: the page uploads it itself (antd's own upload is not used). */
export function PickFile({ accept, onPick, children }: { accept: string; onPick: (file: File) => Promise<void>; children: ReactNode }) {
  return (
    <Upload
      accept={accept}
      showUploadList={false}
      beforeUpload={(file) => {
        void onPick(file);
        return false;
      }}
    >
      {children}
    </Upload>
  );
}
