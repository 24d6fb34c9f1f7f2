// The builder's webpack loads *.svg as their text (asset/source), for LabIcon's svgstr.
declare module '*.svg' {
  const value: string;
  export default value;
}
