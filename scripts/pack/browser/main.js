// The umbrella in a Vite browser bundle, on its default CPU backend.
import { tensor } from 'nablajs';

const out = document.getElementById('out');
tensor([
  [1, 2, 3],
  [4, 5, 6],
])
  .mean(1)
  .array()
  .then(
    (means) => (out.textContent = JSON.stringify({ means })),
    (err) => (out.textContent = `error: ${err}`),
  );
